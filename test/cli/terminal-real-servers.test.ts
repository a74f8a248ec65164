// `portmate up` in a terminal with real third-party servers: Redis, uvicorn serving FastAPI, gunicorn serving
// Flask (a master and its workers), and Vite's dev server. They log every request, start at their own pace
// and fork as they please; the screen must stay clean, the wiring right, and Ctrl-C must leave nothing.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectNothingLeft, processesWith, project, randomRange, ROOT, yaml } from "../support/helpers.js";
import { describeWith, PYTHON_SERVERS, REDIS } from "../support/requirements.js";
import { expectCleanScreen, screenTable, TRACE } from "../support/screen.js";
import { TerminalSession } from "../support/terminal.js";

const REAL = join(ROOT, "test", "fixtures", "real");
const VITE = join(ROOT, "node_modules", "vite", "bin", "vite.js");

/** The table on the screen: each service's pid and primary port. */
const table = (lines: string[]) => new Map([...screenTable(lines)].map(([id, row]) => [id, { pid: row.pid, port: row.ports[0] ?? 0 }]));

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

describeWith(REDIS, "real servers in a terminal", () => {
  describeWith(PYTHON_SERVERS, "Redis, uvicorn with FastAPI and gunicorn with Flask", () => {
    it("starts them in order, shows every access-log line below the table, and Ctrl-C leaves nothing", async () => {
      const { dir, env, state } = project(yaml`
        ports: {range: ${randomRange().text}}
        services:
          redis:
            command: [redis-server, --port, "\${port}", --bind, 127.0.0.1, --save, "", --appendonly, "no"]
          api:
            command: /usr/bin/python3 -m uvicorn fastapi_app:app --host 127.0.0.1 --port \${port}
            cwd: ${REAL}
            depends_on: [redis]
            env: {CACHE_PORT: "\${services.redis.port}"}
            health: {http: /health}
          web:
            command: gunicorn --bind 127.0.0.1:\${port} --workers 2 --access-logfile - flask_app:app
            cwd: ${REAL}
            depends_on: [api]
            env: {API_URL: "\${services.api.url}"}
            health: {http: /}
      `);
      const terminal = TerminalSession.start(["up"], { cwd: dir, env });
      const ready = await terminal.waitUntil((lines) => table(lines).size === 3, "the table of three services", 60_000);
      const rows = table(ready);
      const [redis, api, web] = ["redis", "api", "web"].map((id) => rows.get(id) as { pid: number; port: number });
      // The servers' own words, shown as they printed them.
      expect(ready.join("\n")).toMatch(/^redis\s+\| .*Ready to accept connections/m);
      expect(ready.join("\n")).toMatch(/^api\s+\| INFO: +Uvicorn running on http:\/\/127\.0\.0\.1:\d+/m);
      // The health checks' requests were logged too, before the table.
      expect(ready.join("\n")).toMatch(/^api\s+\| INFO: +127\.0\.0\.1:\d+ - "GET \/health HTTP\/1\.1" 200 OK$/m);

      // Wired: the API counts in this Redis, the web app knows the API's URL.
      for (let hit = 1; hit <= 30; hit++) expect(JSON.parse((await get(`http://127.0.0.1:${api?.port}/count`)).text)).toEqual({ hits: hit, port: api?.port });
      expect(JSON.parse((await get(`http://127.0.0.1:${web?.port}/`)).text)).toEqual({ api: `http://127.0.0.1:${api?.port}` });
      const lines = await terminal.waitUntil(
        (now) => now.filter((line) => /^api\s+\| INFO: +127\.0\.0\.1:\d+ - "GET \/count HTTP\/1\.1" 200 OK$/.test(line)).length === 30,
        "30 access-log lines of the API",
      );
      expect(lines.join("\n")).toMatch(/^web\s+\| 127\.0\.0\.1 - - \[.*\] "GET \/ HTTP\/1\.1" 200/m);
      expectCleanScreen(lines, ["redis", "api", "web"]);

      // gunicorn's master and its workers, uvicorn: what the stack runs, found by its environment. Not Redis:
      // it rewrites its process title over its environment; the table's pid stands for it.
      const running = [...processesWith(`PORTMATE_STATE_DIR=${state}`, "environ"), redis?.pid ?? 0];
      expect(running).toEqual(expect.arrayContaining([api?.pid, web?.pid]));
      expect(running.length).toBeGreaterThanOrEqual(5); // uvicorn, gunicorn and 2 workers, redis

      terminal.type("\x03");
      const { exitCode, text } = await terminal.finished();
      expect(exitCode, text).toBe(0);
      expect(text).toMatch(/Stopped\.$/);
      expect(text).not.toMatch(TRACE);
      await expectNothingLeft(running, [redis?.port ?? 0, api?.port ?? 0, web?.port ?? 0]);
      expect(processesWith(`PORTMATE_STATE_DIR=${state}`, "environ")).toEqual([]);
    });
  });
});

describe("Vite's dev server in a terminal", () => {
  it("shows its start-up lines, serves the app with the API's URL, and Ctrl-C leaves nothing", async () => {
    const { dir, env, state } = project(yaml`
      ports: {range: ${randomRange().text}}
      services:
        api:
          command: node -e "require('http').createServer((q, s) => s.end('api')).listen(process.env.PORT, '127.0.0.1')"
          url: http
        ui:
          command: node ${VITE} . --port \${port} --strictPort --host 127.0.0.1
          depends_on: [api]
          env: {VITE_API_URL: "\${services.api.url}"}
          health: {http: /}
    `);
    writeFileSync(join(dir, "index.html"), readFileSync(join(REAL, "vite", "index.html")));
    writeFileSync(join(dir, "main.js"), readFileSync(join(REAL, "vite", "main.js")));
    const terminal = TerminalSession.start(["up"], { cwd: dir, env });
    const ready = await terminal.waitUntil((lines) => table(lines).size === 2, "the table of two services", 60_000);
    const ui = table(ready).get("ui");
    const api = table(ready).get("api");
    expect(ready.join("\n")).toMatch(/^ui\s+\| +VITE v\d+\.\d+\.\d+ +ready in \d+ ms$/m);
    expect(ready.join("\n")).toMatch(new RegExp(`^ui\\s+\\| +➜ +Local: +http://127\\.0\\.0\\.1:${ui?.port}/$`, "m"));
    // The page, and the module Vite compiles for it on request, with the API's URL put in.
    expect((await get(`http://127.0.0.1:${ui?.port}/`)).text).toContain("portmate vite fixture");
    const main = await get(`http://127.0.0.1:${ui?.port}/main.js`);
    expect(main.status).toBe(200);
    expect(main.text).toContain(`http://127.0.0.1:${api?.port}`);
    expectCleanScreen(await terminal.lines(), ["api", "ui"]);

    const running = processesWith(`PORTMATE_STATE_DIR=${state}`, "environ");
    expect(running).toEqual(expect.arrayContaining([ui?.pid, api?.pid]));
    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    expect(text).not.toMatch(TRACE);
    await expectNothingLeft(running, [ui?.port ?? 0, api?.port ?? 0]);
    expect(processesWith(`PORTMATE_STATE_DIR=${state}`, "environ")).toEqual([]);
  });
});
