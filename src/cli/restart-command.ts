import { sendRequest } from "../control/client.js";
import { ExitCode, PortmateError } from "../errors.js";
import { serviceId } from "../plan.js";
import type { RestartReport } from "../supervise/rewiring.js";
import { currentProject, type ProjectOptions } from "./project.js";
import { recordedService, runningRecord } from "./running-stack.js";
import type { CliIO } from "./terminal.js";

export interface RestartCommandOptions extends ProjectOptions {
  services: string[];
  instance: number;
  newPort: boolean;
}

/** A restart waits for stop timeouts and health checks of the service and of those that refer to it. */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

/**
 * `portmate restart SERVICE… [--new-port]`: asks the stack's supervisor to restart services, each healthy
 * before the next; with `--new-port` on new ports, restarting the services that refer to them as well.
 */
export async function restartCommand(options: RestartCommandOptions, io: CliIO): Promise<number> {
  const record = runningRecord(currentProject(options), options.instance);
  const ids = options.services.map((name) => serviceId(recordedService(record, name).name, options.instance));
  let reports: RestartReport[];
  try {
    reports = (await sendRequest(record.supervisor.control, { op: "restart", services: ids, newPort: options.newPort }, ANSWER_TIMEOUT_MS)) as RestartReport[];
  } catch (error) {
    throw new PortmateError(`could not restart ${ids.join(", ")}: ${(error as Error).message}`, ExitCode.serviceFailed, [
      "hint: `portmate logs` shows what the services printed",
    ]);
  }
  for (const report of reports) {
    const moved = report.moved.map((move) => `${move.name === "default" ? "port" : `port ${move.name}`} ${move.from} → ${move.to}`).join(", ");
    io.stdout.write(`${report.service} restarted${moved ? ` (${moved})` : ""}\n`);
    if (report.restarted.length) io.stdout.write(`  also restarted, as they refer to it: ${report.restarted.join(", ")}\n`);
  }
  return ExitCode.ok;
}
