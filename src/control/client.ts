import { connect } from "node:net";
import { createInterface } from "node:readline";
import type { ControlReply, StopRequest } from "./protocol.js";

/** Asks the supervisor listening on `path` to stop; resolves once it has, rejects when it cannot be reached. */
export function requestStop(path: string, request: Omit<StopRequest, "op">): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once("error", reject);
    socket.once("connect", () => socket.write(`${JSON.stringify({ op: "stop", ...request })}\n`));
    let answered = false;
    createInterface({ input: socket }).once("line", (line) => {
      answered = true;
      const reply = JSON.parse(line) as ControlReply;
      if (reply.ok) resolve();
      else reject(new Error(reply.error));
    });
    socket.once("close", () => {
      if (!answered) reject(new Error("the supervisor closed the connection without answering"));
    });
  });
}
