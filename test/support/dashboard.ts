// The dashboard's process as tests meet it: its record, `portmate dashboard --json`, and a stop after the test
// that checks it is gone.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { onCleanup, pidGone, runCli, waitUntil, yaml } from "./helpers.js";
import { WEB_SERVER } from "./via-proxy.js";

/** The dashboard's record in the state folder `state` (throws when it does not run, or has not yet). */
export function dashboardRecord(state: string): { pid: number; port: number } {
  return JSON.parse(readFileSync(join(state, "dashboard.json"), "utf8")) as { pid: number; port: number };
}

/** After the test, the dashboard of the state folder `state` is stopped, if it runs, and must be gone. */
export function stopsDashboardAfter(dir: string, env: Record<string, string>, state: string): void {
  onCleanup(async () => {
    let pid: number;
    try {
      pid = dashboardRecord(state).pid;
    } catch {
      return; // it ended by itself
    }
    await runCli(["dashboard", "--stop"], { cwd: dir, env });
    await waitUntil(() => pidGone(pid), `the dashboard (pid ${pid}) is gone`);
  });
}

/** What `portmate dashboard --json` prints. */
export interface OpenedDashboard {
  url: string;
  token_url: string;
  port: number;
  started: boolean;
  opened: boolean;
}

/** `portmate dashboard --json` in the test's state folder; the dashboard is stopped after the test. */
export async function openDashboard(dir: string, env: Record<string, string>): Promise<OpenedDashboard> {
  stopsDashboardAfter(dir, env, env.PORTMATE_STATE_DIR as string);
  const result = await runCli(["dashboard", "--json"], { cwd: dir, env });
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as OpenedDashboard;
}

/**
 * A portmate.yaml of web-server services (each with an HTTP check), `extra` lines added to each one named in
 * it (`{web: "depends_on: [api]"}`), and `top` lines at the top (`proxy: true`).
 */
export function webStack(project: string, range: string, services: Record<string, string>, top = ""): string {
  const blocks = Object.entries(services).map(
    ([name, extra]) => `  ${name}:\n    command: node ${WEB_SERVER} ${name}\n    health: {http: /}\n${extra ? `    ${extra}\n` : ""}`,
  );
  return (
    yaml`
    name: ${project}
    ${top}
    ports: {range: ${range}}
    services:
  ` + blocks.join("")
  );
}
