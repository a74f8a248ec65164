// `portmate dashboard` as a command and a process, without a browser (test/browser/dashboard.test.ts drives the
// page): where it listens, what it serves, how it is started by the proxy, and that it ends.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, it, describe } from "vitest";
import { isListening, pidGone, project, randomRange, ROOT, runCli, waitUntil } from "../support/helpers.js";
import { dashboardRecord, stopsDashboardAfter, webStack } from "../support/dashboard.js";
import { namedProject, proxyPort, viaProxy } from "../support/via-proxy.js";

/** GET of the dashboard's `path`, on 127.0.0.1 with the Host given. */
async function get(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string }> {
  const answer = await viaProxy(port, host.replace(/:\d+$/, ""), path, { headers: { host } });
  return { status: answer.status, body: answer.body };
}

describe("portmate dashboard", () => {
  it("is nothing that `up` or a supervisor loads: neither bundle carries its server", () => {
    for (const bundle of ["main-up.cjs", "supervisor.cjs", "main-ps.cjs"]) {
      const code = readFileSync(join(ROOT, "dist", "cjs", bundle), "utf8");
      expect(code, bundle).not.toContain("text/event-stream");
      expect(code, bundle).not.toContain("dashboard-token");
    }
    expect(readFileSync(join(ROOT, "dist", "cjs", "dashboard.cjs"), "utf8")).toContain("text/event-stream");
  });

  it("prints its URL with the token where there is no display, serves the stacks on loopback, and stops", { timeout: 60_000 }, async () => {
    const { dir, env, state } = project(webStack("plain", randomRange().text, { api: "" }));
    stopsDashboardAfter(dir, env, state);
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    const noDisplay = { ...env, DISPLAY: "", WAYLAND_DISPLAY: "" };
    const printed = await runCli(["dashboard"], { cwd: dir, env: noDisplay });
    expect(printed.exitCode, printed.all).toBe(0);
    const { port, pid } = dashboardRecord(state);
    const token = readFileSync(join(state, "dashboard-token"), "utf8").trim();
    expect(printed.stdout).toBe(`Dashboard: http://127.0.0.1:${port}/#token=${token}`);
    expect(statSync(join(state, "dashboard-token")).mode & 0o777).toBe(0o600);

    // The stacks as their records say, without their environment.
    const stacks = await get(port, "/api/stacks");
    expect(stacks.status).toBe(200);
    const [stack] = JSON.parse(stacks.body) as Array<{ project: string; services: Array<{ name: string; status: string; check: { answer: string } }> }>;
    expect(stack?.project).toBe("plain");
    expect(stack?.services[0]).toMatchObject({ name: "api", status: "healthy", check: { answer: "GET / → 200" } });
    expect(stacks.body).not.toContain("PORT=");
    expect((await get(port, "/")).body).toContain("<title>portmate</title>");
    expect((await get(port, "/api/stacks", `attacker.example:${port}`)).status).toBe(403);

    // Asked again, it is the same one; `up` now names it.
    const again = await runCli(["dashboard", "--json"], { cwd: dir, env });
    expect(JSON.parse(again.stdout)).toMatchObject({ port, started: false, opened: false, url: `http://127.0.0.1:${port}/` });
    expect(dashboardRecord(state).pid).toBe(pid);

    const stopped = await runCli(["dashboard", "--stop"], { cwd: dir, env });
    expect(stopped.stdout).toBe(`stopped the dashboard (pid ${pid})`);
    expect(pidGone(pid)).toBe(true);
    expect(await isListening(port)).toBe(false);
    // Started again, it takes the port it had, so that a page left open finds it.
    expect((await runCli(["dashboard", "--no-open"], { cwd: dir, env })).exitCode).toBe(0);
    expect(dashboardRecord(state).port).toBe(port);
  });

  it("is started by the local proxy when portmate.localhost is asked for, and ends by itself with no page open", { timeout: 60_000 }, async () => {
    const { dir, env, state } = namedProject(webStack("shop", randomRange().text, { web: "" }, "proxy: true"));
    const idle = { ...env, PORTMATE_DASHBOARD_IDLE_MS: "2000" };
    stopsDashboardAfter(dir, idle, state);
    const up = await runCli(["up", "-d"], { cwd: dir, env: idle });
    expect(up.exitCode, up.all).toBe(0);
    const proxy = proxyPort(state);
    expect(up.stdout).toContain(`Dashboard: http://portmate.localhost:${proxy}/`);
    // Nothing of the dashboard runs until it is asked for.
    expect(() => dashboardRecord(state)).toThrow();
    const answer = await viaProxy(proxy, "portmate.localhost", "/api/stacks");
    expect(answer.status).toBe(200);
    expect((JSON.parse(answer.body) as Array<{ project: string }>).map((stack) => stack.project)).toEqual(["shop"]);
    const { pid, port } = dashboardRecord(state);
    expect(await isListening(port)).toBe(true);
    // No page open, no request: it ends, and its record goes.
    await waitUntil(() => pidGone(pid), "the idle dashboard ended", 20_000);
    await waitUntil(
      () =>
        !(() => {
          try {
            return dashboardRecord(state);
          } catch {
            return undefined;
          }
        })(),
      "its record is gone",
    );
  });

  it("ends a minute after the last stack stopped, when no page is open", { timeout: 120_000 }, async () => {
    const { dir, env, state } = project(webStack("brief", randomRange().text, { api: "" }));
    stopsDashboardAfter(dir, env, state);
    expect((await runCli(["up", "-d"], { cwd: dir, env })).exitCode).toBe(0);
    expect((await runCli(["dashboard", "--no-open"], { cwd: dir, env: { ...env, DISPLAY: "" } })).exitCode).toBe(0);
    const { pid } = dashboardRecord(state);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    const stoppedAt = Date.now();
    await waitUntil(() => pidGone(pid), "the dashboard ended after the last stack", 90_000);
    // Not at once: a minute, give or take its five-second check.
    expect(Date.now() - stoppedAt).toBeGreaterThan(50_000);
  });
});
