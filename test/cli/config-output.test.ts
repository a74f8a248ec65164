// `portmate config` prints a portmate.yaml that portmate reads back as it is, whatever the config uses; and
// `config --services` lists the services' names.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { project, randomRange, runCli, yaml } from "../support/helpers.js";

const RICH = () => yaml`
  name: rich
  ports: {range: ${randomRange().text}}
  services:
    db:
      command: node -e "setInterval(() => {}, 1000)" --port \${port}
      port: auto
      health: {tcp: true, timeout: 20s}
      restart: {policy: unless-stopped, max_restarts: 4, delay: 250ms, max_delay: 5s}
      stop_signal: SIGINT
      stop_timeout: 3s
      image: postgres:16
    api:
      command: 'echo "cost: $$5 at \${port}" && node server.js'
      shell: true
      ports: {http: auto, metrics: auto}
      url: http://127.0.0.1:\${ports.http}/v1
      env:
        DB: "postgres://127.0.0.1:\${services.db.port}/app"
        PRICE: "$$5"
      depends_on: {db: {condition: healthy, restart: true}}
      health: {http: {path: /ready, port: metrics, status: 204}, interval: 1s, liveness: true}
      strict: true
      watch: {paths: [src], ignore: ["*.tmp"], debounce: 300ms, rebuild: node build.js}
      build: {context: ., dockerfile: Dockerfile.api}
    job:
      command: [node, job.js, "--once"]
      port: none
      depends_on: {api: started}
      restart: on-failure
    front:
      command: node front.js
      announce: true
      health: {log: "ready on \\\\d+"}
      tunnel: {provider: ngrok, domain: example.ngrok.app, verify: false}
`;

async function configJson(cwd: string, env: Record<string, string>, ...args: string[]) {
  const result = await runCli(["config", "--json", ...args], { cwd, env });
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as { services: Record<string, unknown> };
}

describe("portmate config", () => {
  it("prints a portmate.yaml that portmate reads back as the same config", { timeout: 60_000 }, async () => {
    const { dir, env } = project(RICH());
    const printed = await runCli(["config"], { cwd: dir, env });
    expect(printed.exitCode, printed.all).toBe(0);
    expect(printed.stdout).toMatch(/^# rich is not running: these ports are free now/);
    const document = parse(printed.stdout) as { services: Record<string, Record<string, unknown>> };
    expect(document.services.api?.env).toMatchObject({ PRICE: "$$5" });
    expect(document.services.db?.restart).toEqual({ policy: "always", max_restarts: 4, delay: "250ms", max_delay: "5s" });
    expect(document.services.job?.port).toBe("none");
    expect(document.services.front?.announce).toBe(true);
    // Read back as it is, from another folder: the same services, filled in the same.
    const file = join(dir, "..", `resolved-${Date.now()}.yaml`);
    writeFileSync(file, printed.stdout);
    const before = await configJson(dir, env);
    const after = await configJson(dir, env, "-f", file);
    expect(after.services).toEqual(before.services);
    const again = await runCli(["-f", file, "config"], { cwd: dir, env });
    expect(again.stdout.split("\n").slice(2)).toEqual(printed.stdout.split("\n").slice(2));
  });

  it("lists the services' names with --services, disabled ones too, in the file's order", async () => {
    const { dir, env } = project(yaml`
      services:
        web:
          command: node web.js
        debugger:
          command: node inspect.js
          disabled: true
        api:
          command: node api.js
    `);
    const listed = await runCli(["config", "--services"], { cwd: dir, env });
    expect(listed.exitCode, listed.all).toBe(0);
    expect(listed.stdout).toBe("web\ndebugger\napi");
    expect(JSON.parse((await runCli(["config", "--services", "--json"], { cwd: dir, env })).stdout)).toEqual(["web", "debugger", "api"]);
  });
});
