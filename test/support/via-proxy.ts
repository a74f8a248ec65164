// Requests to a name through the local proxy, as a browser sends them: to 127.0.0.1 on the proxy's port, with
// the name in the Host header (Node does not resolve `*.localhost` by itself everywhere; browsers and curl do).
import { randomBytes } from "node:crypto";
import { request, type Agent, type IncomingHttpHeaders } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { onCleanup, pidGone, project, ROOT, runCli, waitUntil } from "./helpers.js";

/** The HTTP service the proxy's tests run (see the fixture for what it answers). */
export const WEB_SERVER = join(ROOT, "test", "fixtures", "web-server.mjs");

/**
 * A project with names (`project()` with `files` beside its portmate.yaml). After the test its stacks are
 * stopped, then its proxy, which must be gone. Every test's proxy is its own; a short idle time lets one that
 * ends by itself do so quickly.
 */
export function namedProject(text: string, files: Record<string, string> = {}) {
  let state = "";
  onCleanup(async () => {
    const pid = proxyPid(state);
    await runCli(["proxy", "stop"], { cwd: ROOT, env: { PORTMATE_STATE_DIR: state } });
    if (pid !== undefined) await waitUntil(() => pidGone(pid), `the proxy (pid ${pid}) is gone`);
  });
  const created = project(text);
  state = created.state;
  for (const [name, content] of Object.entries(files)) writeFileSync(join(created.dir, name), content);
  return { ...created, env: { ...created.env, PORTMATE_PROXY_IDLE_MS: "1500" } };
}

export interface ProxyAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The port of the proxy recorded in the state folder `state`. */
export function proxyPort(state: string): number {
  return (JSON.parse(readFileSync(join(state, "proxy.json"), "utf8")) as { port: number }).port;
}

/** The pid of the proxy recorded in the state folder `state`, or undefined when there is no record. */
export function proxyPid(state: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(state, "proxy.json"), "utf8")) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

export function viaProxy(
  port: number,
  hostname: string,
  path = "/",
  options: { method?: string; headers?: Record<string, string>; body?: Buffer; onData?: (chunk: string) => void; agent?: Agent } = {},
): Promise<ProxyAnswer & { reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method: options.method ?? "GET", headers: { host: `${hostname}:${port}`, ...options.headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
          options.onData?.(chunk);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reusedSocket: req.reusedSocket }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Opens a WebSocket to the name through the proxy, sends `text` and resolves with the first message back. */
export function webSocketEcho(port: number, hostname: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port,
      path: "/",
      headers: {
        host: `${hostname}:${port}`,
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": randomBytes(16).toString("base64"),
      },
    });
    req.on("upgrade", (_res, socket) => {
      const payload = Buffer.from(text);
      const mask = randomBytes(4);
      socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] as number)))]));
      socket.once("data", (data: Buffer) => {
        resolve(data.subarray(2, 2 + ((data[1] as number) & 0x7f)).toString());
        socket.destroy();
      });
    });
    req.on("response", (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on("error", reject);
    req.end();
  });
}
