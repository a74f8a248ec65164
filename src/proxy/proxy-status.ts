import { connect } from "node:net";
import { isGone } from "../process/process-tree.js";
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
  try {
    process.kill(record.pid, "SIGTERM");
  } catch {
    return record.pid;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (!isGone(record.pid, record.startTime)) {
    if (Date.now() > deadline) {
      try {
        process.kill(record.pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return record.pid;
}
