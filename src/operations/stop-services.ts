import type { StopReport } from "../supervise/stop-start.js";
import { askSupervisor, namedIds } from "./supervisor-request.js";

/** What `portmate stop --json` prints: the report by service id, with the stack it is about. */
export interface StopJson extends StopReport {
  project: string;
  instance: number;
}

export interface StopServicesOptions {
  project: string;
  instance: number;
  services: string[];
  /** Also stop the services that depend on them (else those keep running, and are named). */
  withDependents: boolean;
  /** Overrides the services' stop_timeout; null: each one's own. */
  timeoutMs: number | null;
}

/** Asks the stack's supervisor to stop services, dependents first, leaving the rest running and the ports theirs. */
export async function stopServices(options: StopServicesOptions): Promise<StopJson> {
  const { record, ids } = namedIds(options.project, options.instance, options.services);
  const request = { op: "stop-services", services: ids, withDependents: options.withDependents, timeoutMs: options.timeoutMs } as const;
  const report = (await askSupervisor(record, request, `could not stop ${ids.join(", ")}`)) as StopReport;
  return { project: record.project, instance: options.instance, ...report };
}
