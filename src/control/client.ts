import { connect } from "node:net";
import { createInterface } from "node:readline";
import type { ControlReply, ControlRequest, StopRequest } from "./protocol.js";

/** The supervisor answered, and said no (a partial stop while the stack is still starting, a restart that failed…). */
export class RequestRefusedError extends Error {}

/** How long a supervisor gets to accept the connection: a live one does so at once. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * Asks the supervisor listening on `path` to stop and resolves once it has. Rejects with RequestRefusedError when
 * it answers no, and with another error when it cannot be reached or does not answer within `answerTimeoutMs`
 * (a supervisor suspended with Ctrl-Z, say): then the caller stops the stack without it.
 */
export async function requestStop(path: string, request: Omit<StopRequest, "op">, answerTimeoutMs: number): Promise<void> {
  await sendRequest(path, { op: "stop", ...request }, answerTimeoutMs);
}

/**
 * Sends one request to the supervisor listening on `path` and resolves with what it reports once done. Rejects
 * with RequestRefusedError when it answers no, and with another error when it cannot be reached or does not answer
 * within `answerTimeoutMs`.
 */
export function sendRequest(path: string, request: ControlRequest, answerTimeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    let timer = setTimeout(() => fail(new Error("it does not accept connections")), CONNECT_TIMEOUT_MS);
    socket.on("error", fail);
    socket.once("connect", () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new Error(`it did not answer within ${Math.round(answerTimeoutMs / 1000)} s`)), answerTimeoutMs);
      socket.write(`${JSON.stringify(request)}\n`);
    });
    let answered = false;
    const lines = createInterface({ input: socket });
    // readline passes the socket's errors on (ECONNRESET from a supervisor exiting as it answers).
    lines.on("error", fail);
    lines.once("line", (line) => {
      answered = true;
      clearTimeout(timer);
      let reply: ControlReply;
      try {
        reply = JSON.parse(line) as ControlReply;
      } catch {
        fail(new Error(`it answered something unreadable: ${line.slice(0, 80)}`));
        return;
      }
      socket.end();
      if (reply.ok) resolve(reply.result);
      else reject(new RequestRefusedError(reply.error));
    });
    socket.once("close", () => {
      if (!answered) fail(new Error("it closed the connection without answering"));
    });
  });
}
