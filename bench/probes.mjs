// What the stack's health checks poll, as portmate.yaml defines them: an HTTP path answering 2xx/3xx, or a
// port accepting connections. No other imports, so bench/bare-start.mjs (the floor) stays as light as a
// hand-written script.
import { get } from "node:http";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Whether something accepts connections on the loopback port. */
export function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** Whether GET `path` on the loopback port answers 2xx or 3xx. */
export function answers(port, path) {
  return new Promise((resolve) => {
    get({ host: "127.0.0.1", port, path, agent: false }, (res) => (res.resume(), resolve(res.statusCode >= 200 && res.statusCode < 400))).once("error", () =>
      resolve(false),
    );
  });
}

/** A service's health check once: `{port, path}` is HTTP, `{port}` TCP. */
export function passes({ port, path }) {
  return path ? answers(port, path) : accepts(port);
}

/** Resolves once the service passes its health check, polled every 10 ms; rejects once `signal` aborts. */
export async function healthy(service, signal) {
  while (!(await passes(service))) await sleep(10, undefined, { signal });
}
