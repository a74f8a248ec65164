// Names through the local proxy: `http://SERVICE.PROJECT.localhost:PORT` for every HTTP service of a project with
// `proxy: true`, served by one proxy per user (per state folder), whatever restarts or moves behind it.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { Agent } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { statSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectNothingLeft, onCleanup, pidGone, ps, randomRange, runCli, tempProject, waitUntil, yaml } from "../support/helpers.js";
import { namedProject, proxyPid, proxyPort, viaProxy, webSocketEcho, WEB_SERVER } from "../support/via-proxy.js";
import { TerminalSession } from "../support/terminal.js";

/** ui → api, both HTTP (named), and a cache that is not (no name). */
const STACK = (range: string, name = "shop") => yaml`
  name: ${name}
  proxy: true
  ports: {range: ${range}}
  services:
    api:
      command: node ${WEB_SERVER} api
      health: {http: /}
    ui:
      command: node ${WEB_SERVER} ui
      depends_on: [api]
      health: {http: /}
      env:
        API_PUBLIC_URL: \${services.api.named_url}
        API_URL_DIRECT: \${services.api.url}
    cache:
      command: node ${WEB_SERVER} cache
`;

describe("names through the local proxy", () => {
  it("in a terminal: the ready table has the names, they answer, Ctrl-C stops the stack and the idle proxy ends", { timeout: 60_000 }, async () => {
    const { dir, env, state } = namedProject(STACK(randomRange().text));
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    const screen = await terminal.waitFor(/^ui\s+\d+\s+\d+\s+http:\/\/ui\.shop\.localhost:\d+\s+http:\/\/127\.0\.0\.1:\d+$/m);
    expect(screen).toMatch(/^SERVICE\s+PID\s+PORT\s+NAME\s+URL$/m);
    expect(screen).toMatch(/^cache\s+\d+\s+\d+\s+-\s+-$/m);
    const port = proxyPort(state);
    const proxy = proxyPid(state) as number;
    expect(JSON.parse((await viaProxy(port, "ui.shop.localhost")).body)).toMatchObject({ name: "ui" });
    const rows = await ps(dir, env);
    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    await expectNothingLeft(
      rows.map((row) => row.pid as number),
      rows.map((row) => row.port as number),
    );
    // The proxy is not the stack's: it outlives it, answers that the name has no service now, then ends.
    expect((await viaProxy(port, "ui.shop.localhost")).status).toBe(404);
    await waitUntil(() => pidGone(proxy), "the idle proxy ends by itself", 10_000);
  });

  it("gives every HTTP service a name, shown by up, ps, port --url and env, that reaches it with forwarded headers", { timeout: 60_000 }, async () => {
    const { dir, env, state } = namedProject(STACK(randomRange().text));
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const port = proxyPort(state);
    const origin = (service: string) => `http://${service}.shop.localhost${port === 80 ? "" : `:${port}`}`;
    expect(up.stdout).toMatch(new RegExp(`^SERVICE +PID +PORT +NAME +URL$`, "m"));
    expect(up.stdout).toContain(origin("ui"));

    const rows = await ps(dir, env);
    expect(Object.fromEntries(rows.map((row) => [row.service, row.named_url]))).toEqual({ api: origin("api"), ui: origin("ui"), cache: null });
    expect((await runCli(["port", "ui", "--url"], { cwd: dir, env })).stdout).toBe(origin("ui"));
    const uiPort = rows.find((row) => row.service === "ui")?.port as number;
    expect((await runCli(["port", "ui", "--url", "--direct"], { cwd: dir, env })).stdout).toBe(`http://127.0.0.1:${uiPort}`);
    const exported = (await runCli(["env"], { cwd: dir, env })).stdout;
    expect(exported).toContain(`export UI_NAMED_URL=${origin("ui")}`);
    expect(exported).not.toContain("CACHE_NAMED_URL");
    // The name for browsers and OAuth callbacks; the services reach each other directly.
    const uiEnv = (await runCli(["env", "ui"], { cwd: dir, env })).stdout;
    expect(uiEnv).toContain(`API_PUBLIC_URL=${origin("api")}`);
    expect(uiEnv).toMatch(/API_URL_DIRECT=http:\/\/127\.0\.0\.1:\d+/);

    const answer = await viaProxy(port, "ui.shop.localhost");
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      name: "ui",
      port: uiPort,
      host: `ui.shop.localhost:${port}`,
      forwarded: { host: `ui.shop.localhost:${port}`, proto: "http", for: "127.0.0.1", port: String(port) },
    });
    // Case and a trailing dot do not make another name.
    expect(JSON.parse((await viaProxy(port, "API.Shop.localhost.")).body)).toMatchObject({ name: "api" });

    // A name nobody has: a plain 404 that lists nothing, not even this project's names.
    const unknown = await viaProxy(port, "nope.shop.localhost", "/", { headers: { accept: "text/html" } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers["content-type"]).toMatch(/^text\/plain/);
    expect(unknown.body).toBe("No service is named nope.shop.localhost\n");
    expect((await viaProxy(port, "localhost")).status).toBe(404);

    const proxy = await runCli(["proxy", "--json"], { cwd: dir, env });
    const status = JSON.parse(proxy.stdout) as { running: boolean; port: number; routes: Array<{ hostname: string }> };
    expect(status).toMatchObject({ running: true, port });
    expect(status.routes.map((route) => route.hostname).sort()).toEqual(["api.shop.localhost", "ui.shop.localhost"]);
    expect((await runCli(["ps", "-a"], { cwd: dir, env })).stdout).toMatch(
      new RegExp(`^local proxy: running on port ${port} \\(pid \\d+, up .+\\), 2 names$`, "m"),
    );
  });

  it("passes server-sent events as they come, a 20 MB upload whole, WebSockets, and keeps connections alive", { timeout: 60_000 }, async () => {
    const { dir, env, state } = namedProject(STACK(randomRange().text));
    expect((await runCli(["up", "-d", "api"], { cwd: dir, env })).exitCode).toBe(0);
    const port = proxyPort(state);

    const arrivals: number[] = [];
    const events = await viaProxy(port, "api.shop.localhost", "/events", { headers: { accept: "text/event-stream" }, onData: () => arrivals.push(Date.now()) });
    expect(events.body).toBe("data: 0\n\ndata: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n");
    // Streamed, not buffered to the end: the events arrived apart, as they were sent (every 50 ms).
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect((arrivals.at(-1) as number) - (arrivals[0] as number)).toBeGreaterThanOrEqual(100);

    const body = Buffer.alloc(20 * 1024 * 1024, 7);
    const upload = await viaProxy(port, "api.shop.localhost", "/upload", { method: "POST", body, headers: { "content-type": "application/octet-stream" } });
    expect(JSON.parse(upload.body)).toEqual({ size: body.length, sha256: execFileSync("sha256sum", { input: body }).toString().split(" ")[0] });

    expect(await webSocketEcho(port, "api.shop.localhost", "hello")).toBe("echo: hello");

    // Kept alive on both sides: the client's connection to the proxy, and the proxy's to the service.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    onCleanup(() => agent.destroy());
    const first = await viaProxy(port, "api.shop.localhost", "/", { agent });
    const second = await viaProxy(port, "api.shop.localhost", "/", { agent });
    expect(second.reusedSocket).toBe(true);
    expect(JSON.parse(second.body).peerPort).toBe(JSON.parse(first.body).peerPort);
  });

  it("holds requests while a service restarts, follows it to a new port, and says when it is stopped", { timeout: 90_000 }, async () => {
    const { dir, env, state } = namedProject(STACK(randomRange().text));
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const port = proxyPort(state);

    // Requests sent all through a restart: each one is answered by ui, none fails.
    const restart = runCli(["restart", "ui"], { cwd: dir, env });
    const answers = [];
    const until = Date.now() + 1500;
    while (Date.now() < until) answers.push(await viaProxy(port, "ui.shop.localhost"));
    expect((await restart).exitCode).toBe(0);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

    const moved = await runCli(["restart", "ui", "--new-port"], { cwd: dir, env });
    expect(moved.exitCode, moved.all).toBe(0);
    const newPort = (await ps(dir, env)).find((row) => row.service === "ui")?.port;
    expect(JSON.parse((await viaProxy(port, "ui.shop.localhost")).body)).toMatchObject({ name: "ui", port: newPort });

    expect((await runCli(["stop", "ui"], { cwd: dir, env })).exitCode).toBe(0);
    const plain = await viaProxy(port, "ui.shop.localhost");
    expect(plain.status).toBe(503);
    expect(plain.body).toBe("ui of shop is stopped\n`portmate start ui` starts it again.\n");
    const page = await viaProxy(port, "ui.shop.localhost", "/", { headers: { accept: "text/html" } });
    expect(page.status).toBe(503);
    expect(page.body).toContain("<title>ui of shop is stopped</title>");
    expect(page.body).toContain("ui listening on"); // its last lines

    // Asked for while it starts again: the request waits for it.
    const starting = runCli(["start", "ui"], { cwd: dir, env });
    await waitUntil(async () => (await ps(dir, env)).find((row) => row.service === "ui")?.status !== "stopped", "ui is starting", 10_000);
    expect(JSON.parse((await viaProxy(port, "ui.shop.localhost")).body)).toMatchObject({ name: "ui", port: newPort });
    expect((await starting).exitCode).toBe(0);
  });

  it("names each instance: ui-2 is instance 2's ui", { timeout: 60_000 }, async () => {
    const { dir, env, state } = namedProject(STACK(randomRange().text));
    expect((await runCli(["up", "-d", "-n", "2"], { cwd: dir, env })).exitCode).toBe(0);
    const port = proxyPort(state);
    const rows = await ps(dir, env);
    const second = rows.find((row) => row.service === "ui" && row.instance === 2);
    expect(second?.named_url).toBe(`http://ui-2.shop.localhost:${port}`);
    expect(JSON.parse((await viaProxy(port, "ui-2.shop.localhost")).body)).toMatchObject({ name: "ui", port: second?.port });
    expect(JSON.parse((await viaProxy(port, "ui.shop.localhost")).body).port).not.toBe(second?.port);
  });

  it("starts a killed proxy again on the same port; `proxy stop` stops it for good; an idle one ends by itself", { timeout: 60_000 }, async () => {
    const { dir, env, state } = namedProject(STACK(randomRange().text));
    expect((await runCli(["up", "-d", "api"], { cwd: dir, env })).exitCode).toBe(0);
    const port = proxyPort(state);
    const first = proxyPid(state) as number;
    process.kill(first, "SIGKILL");
    await waitUntil(() => pidGone(first), "the killed proxy is gone");
    await waitUntil(() => (proxyPid(state) ?? first) !== first, "the stack starts the proxy again", 10_000);
    expect(proxyPort(state)).toBe(port);
    expect((await viaProxy(port, "api.shop.localhost")).status).toBe(200);

    const second = proxyPid(state) as number;
    expect((await runCli(["proxy", "stop"], { cwd: dir, env })).stdout).toBe(`stopped the local proxy (pid ${second})`);
    expect(pidGone(second)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(proxyPid(state)).toBeUndefined();
    expect((await runCli(["proxy"], { cwd: dir, env })).stdout).toBe("local proxy: not running (a stack with `proxy: true` starts it)");

    // Started again by hand; once the stack is down, nothing needs it and it ends (PORTMATE_PROXY_IDLE_MS).
    expect((await runCli(["proxy", "start"], { cwd: dir, env })).stdout).toBe(`started the local proxy on port ${port}`);
    const third = proxyPid(state) as number;
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await waitUntil(() => pidGone(third), "the idle proxy ends by itself", 10_000);
  });

  it("runs a second checkout of a running project beside it, under the checkout's branch", { timeout: 90_000 }, async () => {
    const range = randomRange().text;
    const main = tempProject({ "portmate.yaml": STACK(range, "app") });
    const git = (cwd: string, ...args: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd, stdio: "pipe" });
    git(main, "init", "-q");
    git(main, "add", ".");
    git(main, "commit", "-qm", "init");
    const worktree = `${main}-fix`;
    git(main, "worktree", "add", "-q", worktree, "-b", "fix/Login_form");
    const state = join(main, "state");
    const env = { PORTMATE_STATE_DIR: state, PORTMATE_PROXY_IDLE_MS: "1500" };
    onCleanup(async () => {
      await runCli(["down", "-a"], { cwd: main, env });
      await runCli(["proxy", "stop"], { cwd: main, env });
      execFileSync("rm", ["-rf", worktree]);
    });

    expect((await runCli(["up", "-d", "api"], { cwd: main, env })).exitCode).toBe(0);
    const second = await runCli(["up", "-d", "api"], { cwd: worktree, env });
    expect(second.exitCode, second.all).toBe(0);
    expect(second.stderr).toContain(
      `app runs already from ${join(main, "portmate.yaml")}: this checkout runs beside it as app-fix-login-form, its names are SERVICE.fix-login-form.app.localhost`,
    );
    const port = proxyPort(state);
    const [mine] = await ps(worktree, env);
    expect(mine).toMatchObject({ project: "app-fix-login-form", service: "api", named_url: `http://api.fix-login-form.app.localhost:${port}` });
    const [theirs] = await ps(main, env);
    expect(theirs).toMatchObject({ project: "app", named_url: `http://api.app.localhost:${port}` });
    expect(JSON.parse((await viaProxy(port, "api.fix-login-form.app.localhost")).body).port).toBe(mine?.port);
    expect(JSON.parse((await viaProxy(port, "api.app.localhost")).body).port).toBe(theirs?.port);
    // `up` again in the checkout finds its own stack, not the other one.
    expect((await runCli(["up", "-d", "api"], { cwd: worktree, env })).stdout).not.toContain("runs already from");
    expect((await runCli(["down"], { cwd: worktree, env })).exitCode).toBe(0);
    expect(await ps(main, env)).toHaveLength(1);
  });

  it("fails the start with a hint, and starts nothing, when the proxy's port is taken by another program", { timeout: 60_000 }, async () => {
    const { dir, env, state } = namedProject(STACK(randomRange().text));
    // Another program on a port the OS chose.
    const holder = createServer().listen(0, "127.0.0.1");
    await once(holder, "listening");
    onCleanup(() => void holder.close());
    const { port } = holder.address() as AddressInfo;
    const up = await runCli(["up", "-d"], { cwd: dir, env: { ...env, PORTMATE_PROXY_PORT: String(port) } });
    expect(up.exitCode, up.all).toBe(3);
    expect(up.stderr).toContain(`the local proxy cannot start: port ${port} is taken by another program`);
    expect(up.stderr).toContain("hint: set PORTMATE_PROXY_PORT to a free port, or remove `proxy:` from the config");
    expect(await ps(dir, env)).toEqual([]);
    expect(proxyPid(state)).toBeUndefined();
  });

  it("listens on loopback only, and keeps its control socket in the user's private folder", { timeout: 60_000 }, async () => {
    const { dir, env, state } = namedProject(STACK(randomRange().text));
    expect((await runCli(["up", "-d", "api"], { cwd: dir, env })).exitCode).toBe(0);
    const port = proxyPort(state);
    expect(statSync(join(state, "run")).mode & 0o777).toBe(0o700);
    expect(statSync(join(state, "proxy.json")).mode & 0o777).toBe(0o600);
    const listening = execFileSync("ss", ["-Hltn", `sport = :${port}`])
      .toString()
      .trim()
      .split("\n");
    for (const line of listening) expect(line).toMatch(/\s(127\.0\.0\.1|\[::1\]):\d+\s/);
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && !address.internal && address.family === "IPv4");
    if (outside) await expect(viaProxyAt(outside.address, port)).rejects.toThrow(/ECONNREFUSED/);
  });
});

function viaProxyAt(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    import("node:net").then(({ connect }) => {
      const socket = connect({ host, port });
      socket.on("connect", () => {
        socket.destroy();
        resolve();
      });
      socket.on("error", reject);
    }, reject);
  });
}
