import { ExitCode, PortmateError } from "../errors.js";
import type { LoadedConfig } from "../config/load.js";
import { checkPrograms } from "../config/programs.js";
import { selectServices } from "../plan/select-services.js";
import { shownPath } from "../util/shown-path.js";
import { RequestRefusedError, sendRequest } from "../control/client.js";
import type { RecordedStack } from "../state/recorded-stacks.js";
import type { ReconfiguredService } from "../supervise/reconfigure.js";
import type { StartReport } from "../supervise/stop-start.js";

/** Applying a config waits for the restarts and health checks it causes. */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

/** What applying the config to a running project did. */
export interface AppliedConfig {
  /** One line per service acted on, and how many were left alone. */
  changes: string[];
  /** A service failed to come up after its change. */
  failed: boolean;
}

/**
 * `up` on a project that runs already, as compose does: its supervisor reads the config again and applies what
 * changed, starts the services named that do not run, and adds instances when `instances` asks for more than
 * run; the rest is left alone. `note` is told what is about to happen.
 */
export async function applyConfig(
  running: readonly RecordedStack[],
  options: {
    services: readonly string[];
    instances: number;
    envFiles?: readonly string[];
    /** The config as this `up` read it (its `-f` files); the stack reads its own again. */
    loaded: LoadedConfig;
  },
  note: (line: string) => void = () => {},
): Promise<AppliedConfig> {
  const { config, missingPrograms } = options.loaded;
  // A program not found is the config's error, told here as `up` tells it, rather than a refusal of the stack's.
  checkPrograms(
    missingPrograms,
    selectServices(config, options.services).map((service) => service.name),
  );
  const first = running.find((stack) => stack.alive) as RecordedStack;
  const { project } = first.record;
  const instances = running.filter((stack) => stack.alive).length;
  const control = first.record.supervisor.control;
  note(`${project} is running: applying its config${options.instances > instances ? `, with ${options.instances} instances` : ""}`);
  // The supervisor reads the config again as it was started: with its environment and its files.
  if (options.envFiles?.length) {
    note(`--env-file: ${project} reads \${VAR} from the files it was started with; \`portmate down\`, then \`up --env-file …\`, to read others`);
  }
  const theirs = first.record.configFiles;
  if (JSON.stringify(config.foundByName ? [] : config.files) !== JSON.stringify(theirs ?? [])) {
    const files = theirs ? theirs.map((file) => shownPath(file)).join(", ") : `${shownPath(first.record.configFile)} (with the override beside it)`;
    note(`${project} reads the config files it was started with: ${files}; \`portmate down\`, then \`up\`, to read others`);
  }
  if (options.instances < instances && options.instances > 1) {
    note(`${project} runs ${instances} instances, more than ${options.instances}: \`portmate down --instance N\` stops one`);
  }
  let report: ReconfiguredService[];
  try {
    const request = {
      op: "reconfigure",
      services: [...options.services] as string[],
      ...(options.instances > instances ? { instances: options.instances } : {}),
    } as const;
    report = (await sendRequest(control, request, ANSWER_TIMEOUT_MS)) as ReconfiguredService[];
  } catch (error) {
    if (!(error instanceof RequestRefusedError)) {
      // Its supervisor went away meanwhile: a `down` from elsewhere is stopping it.
      throw new PortmateError(`${project} is being stopped: its supervisor no longer answers (${(error as Error).message})`, ExitCode.serviceFailed, [
        "hint: `portmate up` again starts it afresh once it has stopped",
      ]);
    }
    // (A config this process could not read was reported before: what is refused here is the stack's state.)
    throw new PortmateError(`could not apply the config to ${project}: ${error.message}`, ExitCode.serviceFailed, [
      "hint: the stack runs on as it was; `portmate ps` shows it",
    ]);
  }
  const started = options.services.length
    ? ((await sendRequest(control, { op: "start-services", services: [...options.services] }, ANSWER_TIMEOUT_MS).catch((error: unknown) => {
        throw new PortmateError(`could not start ${options.services.join(", ")}: ${(error as Error).message}`, ExitCode.serviceFailed);
      })) as StartReport)
    : { started: [], alreadyRunning: [] };
  return { changes: describeReport(report, started), failed: report.some((line) => line.action === "failed") };
}

/** One line per service acted on, and how many were left alone. */
export function describeReport(report: readonly ReconfiguredService[], started: StartReport): string[] {
  const lines = report.filter((line) => line.action !== "unchanged").map((line) => describeReconfigured(line));
  const startedNow = started.started.filter((entry) => !report.some((line) => line.service === entry.service && line.action === "added"));
  for (const { service, ports } of startedNow)
    lines.push(`${service} started${Object.keys(ports).length ? ` on port ${Object.values(ports).join(", ")}` : ""}`);
  const unchanged = report.filter((line) => line.action === "unchanged" && !startedNow.some((entry) => entry.service === line.service)).length;
  if (unchanged) lines.push(`${unchanged} ${unchanged === 1 ? "service" : "services"} unchanged, left running`);
  return lines;
}

/** `web restarted (changed: env API_URL, port 8000 → 8123)`, `worker added on port 8003`, `old removed`. */
export function describeReconfigured(line: ReconfiguredService): string {
  switch (line.action) {
    case "added":
      return `${line.service} added${line.detail ? ` ${line.detail}` : ""}`;
    case "restarted":
    case "changed":
      return `${line.service} ${line.action === "changed" ? "changed" : "restarted"} (changed: ${line.detail ?? "?"})`;
    case "failed":
      return `${line.service} failed to come up after the change: ${line.detail ?? ""}`;
    default:
      return `${line.service} ${line.action}`;
  }
}
