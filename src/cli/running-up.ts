import { ExitCode, PortmateError } from "../errors.js";
import { RequestRefusedError, sendRequest } from "../control/client.js";
import type { RecordedStack } from "../state/recorded-stacks.js";
import { supervisorAlive } from "../state/registry.js";
import type { ReconfiguredService } from "../supervise/reconfigure.js";
import type { StartReport } from "../supervise/stop-start.js";
import { colors, type CliIO } from "./ui/terminal.js";

/** Applying a config waits for the restarts and health checks it causes. */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

/**
 * `portmate up` on a project that runs already, as compose does: its supervisor reads the config again and
 * applies what changed (one line per service acted on), starts the services named that do not run, and leaves
 * the rest alone, and adds instances when `-n` asks for more than run; in the foreground, `up` then shows the
 * stack's output until Ctrl-C, which detaches and stops nothing.
 */
export async function upRunning(
  running: readonly RecordedStack[],
  options: { services: string[]; instances: number; detach: boolean },
  io: CliIO,
): Promise<number> {
  const first = running.find((stack) => stack.alive) as RecordedStack;
  const { project } = first.record;
  const instances = running.filter((stack) => stack.alive).length;
  const control = first.record.supervisor.control;
  io.stderr.write(`${project} is running: applying its config${options.instances > instances ? `, with ${options.instances} instances` : ""}\n`);
  if (options.instances < instances && options.instances > 1) {
    io.stderr.write(`${project} runs ${instances} instances, more than ${options.instances}: \`portmate down --instance N\` stops one\n`);
  }
  let report: ReconfiguredService[];
  try {
    const request = { op: "reconfigure", services: options.services, ...(options.instances > instances ? { instances: options.instances } : {}) } as const;
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
    ? ((await sendRequest(control, { op: "start-services", services: options.services }, ANSWER_TIMEOUT_MS).catch((error: unknown) => {
        throw new PortmateError(`could not start ${options.services.join(", ")}: ${(error as Error).message}`, ExitCode.serviceFailed);
      })) as StartReport)
    : { started: [], alreadyRunning: [] };
  for (const line of describeReport(report, started)) io.stdout.write(`${line}\n`);
  const failed = report.some((line) => line.action === "failed");
  if (options.detach) return failed ? ExitCode.serviceFailed : ExitCode.ok;
  return attach(first, io);
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

/** Shows the stack's output (as `portmate logs -f` does) until Ctrl-C, which detaches, or the stack stops. */
async function attach(stack: RecordedStack, io: CliIO): Promise<number> {
  const { project } = stack.record;
  io.stderr.write(`${colors.dim(`Attached to ${project}: Ctrl-C detaches and stops nothing (\`portmate down\` stops it).`)}\n`);
  const { logsCommand } = await import("./commands/logs.js");
  let detached = false;
  const onSignal = () => (detached = true);
  process.once("SIGINT", onSignal);
  await logsCommand({ projectName: project, services: [], follow: true, lines: 10, until: () => !supervisorAlive(stack.record) }, io);
  process.off("SIGINT", onSignal);
  io.stderr.write(`${colors.dim(detached ? `Detached; ${project} keeps running.` : `${project} was stopped.`)}\n`);
  return ExitCode.ok;
}
