import { ExitCode, PortmateError } from "../errors.js";
import { sendRequest } from "../control/client.js";
import type { ControlRequest } from "../control/protocol.js";
import { serviceId } from "../plan/names.js";
import type { StackRecord } from "../state/registry.js";
import { recordedService, runningRecord } from "./running-stack.js";

/** A start or a stop waits for stop timeouts and health checks. */
const ANSWER_TIMEOUT_MS = 10 * 60_000;

/**
 * The record of `project`'s running `instance` and the ids of the services named (a usage error for a name it
 * has not).
 */
export function namedIds(project: string, instance: number, names: readonly string[]): { record: StackRecord; ids: string[] } {
  const record = runningRecord(project, instance);
  return { record, ids: names.map((name) => serviceId(recordedService(record, name).name, instance)) };
}

/**
 * Sends `request` to the stack's supervisor and returns what it reports; its refusal or failure becomes one
 * error that starts with `failing` (`could not stop api: …`).
 */
export async function askSupervisor(record: StackRecord, request: ControlRequest, failing: string): Promise<unknown> {
  try {
    return await sendRequest(record.supervisor.control, request, ANSWER_TIMEOUT_MS);
  } catch (error) {
    throw new PortmateError(`${failing}: ${(error as Error).message}`, ExitCode.serviceFailed, ["hint: `portmate logs` shows what the services printed"]);
  }
}
