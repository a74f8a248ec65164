import { connect } from "node:net";
import { stopProcess } from "../process/stop-process.js";
import type { StateLayout } from "../state/paths.js";
import type { ProxyStatus } from "./proxy-control.js";
import { runningProxy } from "./proxy-record.js";

/** How long the proxy may take to answer `status`. */
const STATUS_TIMEOUT_MS = 2000;
/** How long it may take to stop before it is killed. */
const STOP_TIMEOUT_MS = 5000;

/** What the running proxy says of itself, or undefined when none runs (or it does not answer). */
export async function proxyStatus(layout: StateLayout): Promise<ProxyStatus | undefined> {
  const record = runningProxy(layout);
  if (!record) return undefined;
  return new Promise((resolve) => {
    let text = "";
    const socket = connect(record.control);
    const timer = setTimeout(() => socket.destroy(), STATUS_TIMEOUT_MS);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write("status\n"));
    socket.on("data", (data: string) => (text += data));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(text) as ProxyStatus);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/**
 * Stops the running proxy (SIGTERM: it tells the stacks holding it `bye`, so none starts it again; SIGKILL
 * after 5 s). Resolves with its pid, or undefined when none ran.
 */
export async function stopProxy(layout: StateLayout): Promise<number | undefined> {
  const record = runningProxy(layout);
  if (!record) return undefined;
  await stopProcess(record, STOP_TIMEOUT_MS);
  return record.pid;
}
