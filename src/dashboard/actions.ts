import { PortmateError } from "../errors.js";
import { restartServices } from "../operations/restart-services.js";
import { exportLines } from "../operations/export-lines.js";
import { serviceEnv } from "../operations/service-env.js";
import { startServices } from "../operations/start-services.js";
import { stopServices } from "../operations/stop-services.js";

/** What the page's buttons ask: each does what the CLI command of the same name does, through the same function. */
export const ACTIONS = ["restart", "restart-new-port", "stop", "start"] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface ActionRequest {
  action: ActionName;
  project: string;
  instance: number;
  /** The service's name (`api`, not `api#2`). */
  service: string;
}

/** The request's fields checked, or why not. */
export function parseAction(body: unknown): ActionRequest | string {
  const request = body as Partial<ActionRequest> | null;
  if (!request || typeof request !== "object") return "the body must be a JSON object";
  if (!ACTIONS.includes(request.action as ActionName)) return `action must be one of ${ACTIONS.join(", ")}`;
  if (typeof request.project !== "string" || typeof request.service !== "string") return "project and service must be strings";
  if (!Number.isInteger(request.instance) || (request.instance as number) < 1) return "instance must be a whole number from 1";
  return request as ActionRequest;
}

/** Does it: `portmate restart [--new-port]`, `portmate stop` or `portmate start` of one service; resolves with what their `--json` prints. */
export function runAction({ action, project, instance, service }: ActionRequest): Promise<unknown> {
  switch (action) {
    case "restart":
    case "restart-new-port":
      return restartServices({ project, instance, services: [service], newPort: action === "restart-new-port" });
    case "stop":
      return stopServices({ project, instance, services: [service], withDependents: false, timeoutMs: null });
    case "start":
      return startServices({ project, instance, services: [service] });
  }
}

/** `portmate env` of a running instance (with a service: that service's own variables): the variables, and the lines it prints. */
export function envOf(project: string, instance: number, service?: string): { env: Record<string, string>; text: string } {
  const env = serviceEnv({ project, instance, ...(service ? { service } : {}) });
  return { env, text: exportLines(env).text };
}

/** An error as the page shows it: portmate's message and the lines under it, as the CLI prints them. */
export function describeError(error: unknown): { error: string; details: string[] } {
  if (error instanceof PortmateError) return { error: error.message, details: [...error.details] };
  return { error: (error as Error).message ?? String(error), details: [] };
}
