import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  CLI,
  expectNothingLeft,
  fixtureCommand,
  isListening,
  occupy,
  pidGone,
  randomRange,
  readRecords,
  recordedPids,
  runCli,
  yaml,
  type RecordLine,
  project,
  ps,
  type PsJson,
} from "../support/helpers.js";

/** What `portmate config --json` prints (the part these tests read). */
interface ConfigJson {
  name: string;
  instance: number;
  ports_from: "running" | "free now";
  ports: { range: string };
  services: Record<string, { port: number | null; ports: Record<string, number>; url: string | null; environment: Record<string, string> }>;
}

async function configJson(cwd: string, env: Record<string, string>, ...args: string[]): Promise<ConfigJson> {
  const result = await runCli(["config", "--json", ...args], { cwd, env });
  expect(result.exitCode, result.all).toBe(0);
  return JSON.parse(result.stdout) as ConfigJson;
}

/**
 * `portmate config` (YAML) next to `config --json`: the YAML is a portmate.yaml with the same ports and the
 * values of the variables the config sets, and read back as it is (`-f`) it is the same config, service for
 * service. Returns its first comment line, which says whose ports these are.
 */
async function expectYamlIsTheConfig(cwd: string, env: Record<string, string>, json: ConfigJson, ...args: string[]): Promise<string> {
  const result = await runCli(["config", ...args], { cwd, env });
  expect(result.exitCode, result.all).toBe(0);
  const [comment = ""] = result.stdout.split("\n");
  expect(comment).toMatch(/^# /);
  const written = parse(result.stdout) as {
    services: Record<string, { port?: number | string; ports?: Record<string, number>; env?: Record<string, string> }>;
  };
  expect(Object.keys(written.services)).toEqual(Object.keys(json.services));
  for (const [name, service] of Object.entries(json.services)) {
    const own = written.services[name];
    const ports = own?.ports ?? (typeof own?.port === "number" ? { default: own.port } : {});
    expect(Object.values(ports)).toEqual(Object.values(service.ports));
    // Written with `$$` for each `$`, so that nothing in it is read as a variable.
    for (const [key, value] of Object.entries(own?.env ?? {})) expect(value.split("$$").join("$"), `${name} ${key}`).toBe(service.environment[key]);
  }
  const file = join(cwd, `resolved-${Date.now()}.yaml`);
  writeFileSync(file, result.stdout);
  const again = await configJson(cwd, env, "-f", file, ...args);
  expect(again.services).toEqual(json.services);
  return comment;
}

/** Runs `script` in a real `sh`, with `$0` the portmate CLI, in the project's folder. */
function sh(script: string, cwd: string, env: Record<string, string>) {
  return execa("sh", ["-c", script, CLI], { cwd, env: { NO_COLOR: "1", ...env }, reject: false, timeout: 60_000 });
}

/** The start events of a service in a record file, oldest first. */
function starts(record: string, name: string): RecordLine[] {
  return readRecords(record).filter((line) => line.name === name && line.event === "start");
}

/**
 * The environment portmate gave a started fixture: what it recorded, less what it inherited unchanged (the
 * test's own state folder, vitest's BASE_URL) and the mark that finds the process at stop time
 * (PORTMATE_OWNER, not configuration: `portmate env` leaves it out).
 */
function givenEnv(line: RecordLine | undefined): Record<string, string> {
  const { PORTMATE_STATE_DIR: _state, PORTMATE_OWNER: _owner, ...env } = line?.env ?? {};
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => process.env[name] !== value));
}

async function portOf(cwd: string, env: Record<string, string>, ...args: string[]): Promise<number> {
  const result = await runCli(["port", ...args], { cwd, env });
  expect(result.exitCode, result.all).toBe(0);
  expect(result.stdout).toMatch(/^\d+$/);
  return Number(result.stdout);
}

async function answersHttp(port: number): Promise<{ name: string; port: number }> {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  expect(response.status).toBe(200);
  return (await response.json()) as { name: string; port: number };
}

/** A value a shell must not touch: spaces, both quotes, `$`, a backquote, a backslash, `;` and `&`. */
const AWKWARD = 'it\'s "quoted" & spaced; $HOME `id` \\t';

/**
 * backend; ui, which refers to backend's URL in its env; worker, which only depends on backend (and so only
 * gets BACKEND_PORT/BACKEND_URL injected). `${instance}` in the fixture names tells instances apart.
 */
const STACK = (range: string) => yaml`
  name: disco
  ports: {range: ${range}}
  services:
    backend:
      command: ${fixtureCommand("--name backend-${instance} --record record.jsonl")}
      health: {http: /}
      env:
        GREETING: '${AWKWARD.replace(/'/g, "''").replace(/\$/g, () => "$$")}'
    ui:
      command: ${fixtureCommand("--name ui-${instance} --record record.jsonl")}
      depends_on: [backend]
      env: {API_URL: "\${services.backend.url}"}
    worker:
      command: ${fixtureCommand("--name worker-${instance} --record record.jsonl")}
      depends_on: [backend]
`;

describe("portmate env, port, config", () => {
  it("refuses env and port when the stack is not running, and config shows the ports that are free now", async () => {
    const range = randomRange();
    const { dir, env, state } = project(STACK(range.text));
    // The first port of the range is busy: config must not offer it.
    expect(await occupy(range.from, "127.0.0.1")).toBeDefined();

    for (const args of [["env"], ["env", "ui"], ["port", "backend"]]) {
      const result = await runCli(args, { cwd: dir, env });
      expect(result.exitCode, `${args.join(" ")}: ${result.all}`).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^disco is not running\nhint: `portmate up -d` starts it in the background/);
    }

    const json = await configJson(dir, env);
    expect(json.name).toBe("disco");
    expect(json.instance).toBe(1);
    expect(json.ports_from).toBe("free now");
    expect(json.ports).toEqual({ range: range.text });
    expect(Object.keys(json.services)).toEqual(["backend", "ui", "worker"]);
    const ports = Object.values(json.services).map((service) => service.port as number);
    for (const port of ports) {
      expect(port).toBeGreaterThan(range.from);
      expect(port).toBeLessThanOrEqual(range.to);
    }
    expect(new Set(ports).size).toBe(3);
    const { backend, ui, worker } = json.services as Record<string, ConfigJson["services"][string]>;
    const backendUrl = `http://127.0.0.1:${backend?.port}`;
    expect(backend?.url).toBe(backendUrl);
    expect(backend?.environment.GREETING).toBe(AWKWARD);
    expect(backend?.environment.PORT).toBe(String(backend?.port));
    expect(ui?.environment.API_URL).toBe(backendUrl);
    expect(worker?.environment).toMatchObject({ BACKEND_PORT: String(backend?.port), BACKEND_URL: backendUrl, PORT: String(worker?.port) });

    const comment = await expectYamlIsTheConfig(dir, env, json);
    expect(comment).toMatch(/^# disco is not running: these ports are free now/);
    // Nothing was started nor reserved.
    expect(existsSync(join(state, "ports")) ? readdirSync(join(state, "ports")) : []).toEqual([]);
    for (const port of ports) expect(await isListening(port)).toBe(false);
  });

  it("prints env that a real shell evaluates to what the services got, agreeing with port, ps and config", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const rows = await ps(dir, env);
    expect(rows.map((row) => [row.service, row.status])).toEqual([
      ["backend", "healthy"],
      ["ui", "healthy"],
      ["worker", "healthy"],
    ]);
    const port = Object.fromEntries(rows.map((row) => [row.service, row.port as number]));
    const backendUrl = `http://127.0.0.1:${port.backend}`;

    // Every service's port and URL, the way `eval "$(portmate env)"` uses them.
    const discovery = await runCli(["env"], { cwd: dir, env });
    expect(discovery.exitCode, discovery.all).toBe(0);
    expect(discovery.stdout.split("\n")).toEqual([
      "export PORTMATE_PROJECT=disco",
      "export PORTMATE_INSTANCE=1",
      `export BACKEND_PORT=${port.backend}`,
      `export BACKEND_URL=${backendUrl}`,
      // ui and worker are checked over TCP and have no `url:`: no URL is guessed for them.
      `export UI_PORT=${port.ui}`,
      `export WORKER_PORT=${port.worker}`,
    ]);
    const echoed = await sh(`eval "$(node "$0" env)" && echo "$BACKEND_URL" && echo "$WORKER_PORT"`, dir, env);
    expect(echoed.exitCode, echoed.stderr).toBe(0);
    expect(echoed.stdout).toBe(`${backendUrl}\n${port.worker}`);

    // One service's variables, quoted so that the shell reads the awkward value back exactly, and exactly what
    // the service itself was given.
    for (const service of ["backend", "ui", "worker"]) {
      const dumped = await sh(
        `eval "$(node "$0" env ${service})" && ${JSON.stringify(process.execPath)} -e 'process.stdout.write(JSON.stringify(process.env))'`,
        dir,
        env,
      );
      expect(dumped.exitCode, dumped.stderr).toBe(0);
      const shellEnv = JSON.parse(dumped.stdout) as Record<string, string>;
      const given = givenEnv(starts(record, `${service}-1`)[0]);
      expect(Object.keys(given).length).toBeGreaterThanOrEqual(6);
      const printed = await runCli(["env", service], { cwd: dir, env });
      const names = printed.stdout.split("\n").map((line) => /^export ([A-Z_]+)=/.exec(line)?.[1]);
      expect(names.sort(), service).toEqual(Object.keys(given).sort());
      for (const [name, value] of Object.entries(given)) expect(shellEnv[name], `${service}: ${name}`).toBe(value);
    }
    const greeting = await sh(`eval "$(node "$0" env backend)" && printf '%s' "$GREETING"`, dir, env);
    expect(greeting.stdout).toBe(AWKWARD);
    expect(givenEnv(starts(record, "backend-1")[0]).GREETING).toBe(AWKWARD);
    expect(givenEnv(starts(record, "ui-1")[0]).API_URL).toBe(backendUrl);

    // port and ps agree.
    for (const row of rows) expect(await portOf(dir, env, row.service), row.service).toBe(row.port);

    // config: the running stack's ports, the ui's API_URL the backend's real URL.
    const json = await configJson(dir, env);
    expect(json.ports_from).toBe("running");
    for (const row of rows) {
      expect(json.services[row.service]?.port, row.service).toBe(row.port);
      expect(json.services[row.service]?.ports, row.service).toEqual(row.ports);
      expect(json.services[row.service]?.url, row.service).toBe(row.url);
    }
    expect(json.services.ui?.environment.API_URL).toBe(backendUrl);
    expect(json.services.backend?.environment.GREETING).toBe(AWKWARD);
    expect((await answersHttp(port.backend as number)).name).toBe("backend-1");
    const comment = await expectYamlIsTheConfig(dir, env, json);
    expect(comment).toBe("# disco is running: these are its ports.");

    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(recordedPids(record), Object.values(port));
  });

  it("agrees between port, ps --json, env and config for each of two instances, named ports included", { timeout: 60_000 }, async () => {
    const range = randomRange();
    const { dir, env, record } = project(yaml`
      name: twins
      ports: {range: ${range.text}}
      services:
        backend:
          command: ${fixtureCommand("--name backend-${instance} --record record.jsonl")}
          ports: {http: auto, admin: auto}
          health: {http: /}
        ui:
          command: ${fixtureCommand("--name ui-${instance} --record record.jsonl")}
          env: {API_URL: "\${services.backend.url}", INSTANCE_LABEL: "ui of \${instance}"}
    `);
    const up = await runCli(["up", "-d", "--instances", "2"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const rows = await ps(dir, env);
    expect(rows.map((row) => [row.instance, row.service, row.status])).toEqual([
      [1, "backend", "healthy"],
      [1, "ui", "healthy"],
      [2, "backend", "healthy"],
      [2, "ui", "healthy"],
    ]);
    const allPorts = rows.flatMap((row) => Object.values(row.ports));
    expect(allPorts).toHaveLength(6);
    expect(new Set(allPorts).size).toBe(6);

    for (const row of rows) {
      const instance = ["--instance", String(row.instance)];
      expect(await portOf(dir, env, row.service, ...instance), `${row.service}#${row.instance}`).toBe(row.port);
      for (const [name, number] of Object.entries(row.ports)) {
        expect(await portOf(dir, env, row.service, name, ...instance), `${row.service}#${row.instance} ${name}`).toBe(number);
      }
    }
    const backend2 = rows.find((row) => row.instance === 2 && row.service === "backend") as PsJson;
    const ui2 = rows.find((row) => row.instance === 2 && row.service === "ui") as PsJson;
    expect(backend2.port).toBe(backend2.ports.http);
    // Without --instance: instance 1.
    expect(await portOf(dir, env, "backend", "admin")).toBe(rows[0]?.ports.admin);

    const echoed = await sh(`eval "$(node "$0" env --instance 2)" && echo "$PORTMATE_INSTANCE $BACKEND_PORT $BACKEND_URL $UI_PORT"`, dir, env);
    expect(echoed.exitCode, echoed.stderr).toBe(0);
    expect(echoed.stdout).toBe(`2 ${backend2.port} ${backend2.url} ${ui2.port}`);
    const uiEnv = await sh(`eval "$(node "$0" env ui --instance 2)" && echo "$API_URL|$INSTANCE_LABEL|$PORT"`, dir, env);
    expect(uiEnv.stdout).toBe(`http://127.0.0.1:${backend2.port}|ui of 2|${ui2.port}`);
    expect(givenEnv(starts(record, "ui-2")[0])).toMatchObject({ API_URL: `http://127.0.0.1:${backend2.port}`, INSTANCE_LABEL: "ui of 2" });

    for (const instance of [1, 2]) {
      const json = await configJson(dir, env, "--instance", String(instance));
      expect(json.instance).toBe(instance);
      expect(json.ports_from).toBe("running");
      for (const row of rows.filter((candidate) => candidate.instance === instance)) {
        expect(json.services[row.service]?.port, `${row.service}#${instance}`).toBe(row.port);
        expect(json.services[row.service]?.ports, `${row.service}#${instance}`).toEqual(row.ports);
      }
      const backend = rows.find((row) => row.instance === instance && row.service === "backend") as PsJson;
      expect(json.services.ui?.environment.API_URL).toBe(`http://127.0.0.1:${backend.port}`);
      expect(json.services.ui?.environment.BACKEND_PORT).toBe(String(backend.port));
      await expectYamlIsTheConfig(dir, env, json, "--instance", String(instance));
    }

    // An instance that does not run.
    for (const args of [
      ["env", "--instance", "3"],
      ["port", "ui", "--instance", "3"],
    ]) {
      const result = await runCli(args, { cwd: dir, env });
      expect(result.exitCode, result.all).toBe(1);
      expect(result.stderr).toMatch(/^twins instance 3 is not running\nhint: /);
    }

    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(recordedPids(record), allPorts);
  });

  it("prints env that a shell can evaluate when a service's name starts with a digit", async () => {
    // The schema allows service names such as `2fa`; `export 2FA_PORT=…` is no shell variable, and `sh` stops
    // at it. Whatever portmate does with such a service's variables, the others must still be set.
    const { dir, env, record } = project(yaml`
      name: digits
      ports: {range: ${randomRange().text}}
      services:
        2fa:
          command: ${fixtureCommand("--name 2fa --record record.jsonl")}
          url: http
        my-api:
          command: ${fixtureCommand("--name my-api --record record.jsonl")}
          url: http
    `);
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const rows = await ps(dir, env);
    const api = rows.find((row) => row.service === "my-api") as PsJson;
    for (const args of ["env", "env my-api"]) {
      const result = await sh(`eval "$(node "$0" ${args})" && echo "$MY_API_PORT $MY_API_URL"`, dir, env);
      expect(result.exitCode, `${args}: ${result.stderr}`).toBe(0);
      expect(result.stdout, args).toBe(`${api.port} ${api.url}`);
    }
    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(
      recordedPids(record),
      rows.map((row) => row.port as number),
    );
  });
});

describe("portmate restart", () => {
  it("moves a service to a new port with --new-port and restarts what refers to it, by template or injected env", { timeout: 60_000 }, async () => {
    const range = randomRange();
    const { dir, env, record, state } = project(STACK(range.text));
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const before = await ps(dir, env);
    const oldPort = await portOf(dir, env, "backend");
    const uiPort = before.find((row) => row.service === "ui")?.port as number;
    const workerPort = before.find((row) => row.service === "worker")?.port as number;
    expect(readdirSync(join(state, "ports"))).toContain(`${oldPort}.lock`);
    const oldUi = starts(record, "ui-1");
    const oldWorker = starts(record, "worker-1");
    expect([starts(record, "backend-1"), oldUi, oldWorker].map((lines) => lines.length)).toEqual([1, 1, 1]);

    const restart = await runCli(["restart", "backend", "--new-port"], { cwd: dir, env });
    expect(restart.exitCode, restart.all).toBe(0);
    const newPort = await portOf(dir, env, "backend");
    expect(newPort).not.toBe(oldPort);
    expect(newPort).toBeGreaterThanOrEqual(range.from);
    expect(newPort).toBeLessThanOrEqual(range.to);
    expect(restart.stdout).toBe(`backend restarted (port ${oldPort} → ${newPort})\n  also restarted, as they refer to it: ui, worker`);

    // The backend runs on the new port only, as a new process.
    expect(await isListening(oldPort)).toBe(false);
    expect(await answersHttp(newPort)).toEqual({ name: "backend-1", port: newPort });
    const backendStarts = starts(record, "backend-1");
    expect(backendStarts).toHaveLength(2);
    expect(backendStarts[1]?.pid).not.toBe(backendStarts[0]?.pid);
    expect(pidGone(backendStarts[0]?.pid as number)).toBe(true);
    expect(givenEnv(backendStarts[1])).toMatchObject({ PORT: String(newPort), BACKEND_PORT: String(newPort) });
    // Its old port's reservation is freed, the new one held.
    const locks = readdirSync(join(state, "ports"));
    expect(locks).not.toContain(`${oldPort}.lock`);
    expect(locks).toContain(`${newPort}.lock`);

    // ui (API_URL: ${services.backend.url}) and worker (depends_on only: BACKEND_URL injected) were restarted,
    // on their own ports, and now point at the new port.
    const newUrl = `http://127.0.0.1:${newPort}`;
    for (const [name, old] of [
      ["ui-1", oldUi],
      ["worker-1", oldWorker],
    ] as const) {
      const lines = starts(record, name);
      expect(lines, name).toHaveLength(2);
      expect(lines[1]?.pid, name).not.toBe(old[0]?.pid);
      expect(pidGone(old[0]?.pid as number), name).toBe(true);
      expect(givenEnv(lines[1]), name).toMatchObject({ BACKEND_PORT: String(newPort), BACKEND_URL: newUrl });
    }
    expect(givenEnv(starts(record, "ui-1")[1]).API_URL).toBe(newUrl);
    expect(givenEnv(starts(record, "ui-1")[1]).PORT).toBe(String(uiPort));
    expect(givenEnv(starts(record, "worker-1")[1]).PORT).toBe(String(workerPort));

    // What the others say agrees with the new wiring.
    const after = await ps(dir, env);
    expect(after.map((row) => [row.service, row.status, row.pid, row.port])).toEqual([
      ["backend", "healthy", starts(record, "backend-1")[1]?.pid, newPort],
      ["ui", "healthy", starts(record, "ui-1")[1]?.pid, uiPort],
      ["worker", "healthy", starts(record, "worker-1")[1]?.pid, workerPort],
    ]);
    const envUi = await sh(`eval "$(node "$0" env ui)" && echo "$API_URL $BACKEND_PORT"`, dir, env);
    expect(envUi.stdout).toBe(`${newUrl} ${newPort}`);
    const json = await configJson(dir, env);
    expect(json.ports_from).toBe("running");
    expect(json.services.backend?.port).toBe(newPort);
    expect(json.services.ui?.environment.API_URL).toBe(newUrl);

    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(recordedPids(record), [oldPort, newPort, uiPort, workerPort]);
  });

  it("restarts only the service on its own port without --new-port, and refuses unknown services and stopped stacks", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));

    const notRunning = await runCli(["restart", "backend"], { cwd: dir, env });
    expect(notRunning.exitCode, notRunning.all).toBe(1);
    expect(notRunning.stderr).toMatch(/^disco is not running\nhint: `portmate up -d` starts it in the background/);
    expect(readRecords(record)).toEqual([]);

    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const before = await ps(dir, env);
    const port = Object.fromEntries(before.map((row) => [row.service, row.port as number]));

    const unknown = await runCli(["restart", "backnd"], { cwd: dir, env });
    expect(unknown.exitCode, unknown.all).toBe(2);
    expect(unknown.stderr).toMatch(/disco has no service "backnd" \(did you mean "backend"\?\)/);
    const otherInstance = await runCli(["restart", "backend", "--instance", "2"], { cwd: dir, env });
    expect(otherInstance.exitCode, otherInstance.all).toBe(1);
    expect(otherInstance.stderr).toMatch(/^disco instance 2 is not running/);
    expect(starts(record, "backend-1")).toHaveLength(1);

    const restart = await runCli(["restart", "backend"], { cwd: dir, env });
    expect(restart.exitCode, restart.all).toBe(0);
    expect(restart.stdout).toBe("backend restarted");

    const backendStarts = starts(record, "backend-1");
    expect(backendStarts).toHaveLength(2);
    expect(backendStarts[1]?.pid).not.toBe(backendStarts[0]?.pid);
    expect(pidGone(backendStarts[0]?.pid as number)).toBe(true);
    expect(givenEnv(backendStarts[1])).toEqual(givenEnv(backendStarts[0]));
    expect(await portOf(dir, env, "backend")).toBe(port.backend);
    expect(await answersHttp(port.backend as number)).toEqual({ name: "backend-1", port: port.backend });
    // Nothing changed for ui and worker: not restarted.
    expect(starts(record, "ui-1")).toHaveLength(1);
    expect(starts(record, "worker-1")).toHaveLength(1);
    const after = await ps(dir, env);
    expect(after.map((row) => [row.service, row.status, row.pid, row.port])).toEqual([
      ["backend", "healthy", backendStarts[1]?.pid, port.backend],
      ["ui", "healthy", before[1]?.pid, port.ui],
      ["worker", "healthy", before[2]?.pid, port.worker],
    ]);

    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(recordedPids(record), Object.values(port));
    const stopped = await runCli(["restart", "backend"], { cwd: dir, env });
    expect(stopped.exitCode, stopped.all).toBe(1);
    expect(stopped.stderr).toMatch(/^disco is not running/);
  });

  it("restarts every service without a name, dependencies first, each on its port, and wants names for --new-port", { timeout: 60_000 }, async () => {
    // Declared before what it depends on: the order of the restarts is the start order, not the file's.
    const { dir, env, record } = project(yaml`
      name: disco
      ports: {range: ${randomRange().text}}
      services:
        ui:
          command: ${fixtureCommand("--name ui-${instance} --record record.jsonl")}
          depends_on: [backend]
        backend:
          command: ${fixtureCommand("--name backend-${instance} --record record.jsonl")}
          health: {http: /}
    `);
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const before = await ps(dir, env);
    const port = Object.fromEntries(before.map((row) => [row.service, row.port as number]));

    const newPort = await runCli(["restart", "--new-port"], { cwd: dir, env });
    expect(newPort.exitCode, newPort.all).toBe(2);
    expect(newPort.stderr).toMatch(/--new-port needs the services to move\nhint: `portmate restart backend --new-port`/);

    const restart = await runCli(["restart"], { cwd: dir, env });
    expect(restart.exitCode, restart.all).toBe(0);
    expect(restart.stdout).toBe("backend restarted\nui restarted");
    const startsInOrder = readRecords(record)
      .filter((line) => line.event === "start")
      .map((line) => line.name);
    expect(startsInOrder).toEqual(["backend-1", "ui-1", "backend-1", "ui-1"]);
    const after = await ps(dir, env);
    expect(after.map((row) => [row.service, row.status, row.port])).toEqual([
      ["backend", "healthy", port.backend],
      ["ui", "healthy", port.ui],
    ]);
    for (const [index, row] of after.entries()) expect(row.pid).not.toBe(before[index]?.pid);
    expect(await answersHttp(port.backend as number)).toEqual({ name: "backend-1", port: port.backend });

    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(recordedPids(record), Object.values(port));
  });

  it("re-wires only the instance whose service moved with --new-port --instance 2", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(STACK(randomRange().text));
    const up = await runCli(["up", "-d", "--instances", "2"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    const before = await ps(dir, env);
    const oldPort = await portOf(dir, env, "backend", "--instance", "2");

    const restart = await runCli(["restart", "backend", "--new-port", "--instance", "2"], { cwd: dir, env });
    expect(restart.exitCode, restart.all).toBe(0);
    const newPort = await portOf(dir, env, "backend", "--instance", "2");
    expect(newPort).not.toBe(oldPort);
    expect(restart.stdout).toBe(`backend#2 restarted (port ${oldPort} → ${newPort})\n  also restarted, as they refer to it: ui#2, worker#2`);
    expect(await isListening(oldPort)).toBe(false);
    expect(await answersHttp(newPort)).toEqual({ name: "backend-2", port: newPort });
    expect(givenEnv(starts(record, "ui-2").at(-1)).API_URL).toBe(`http://127.0.0.1:${newPort}`);
    for (const name of ["backend-2", "ui-2", "worker-2"]) expect(starts(record, name), name).toHaveLength(2);
    for (const name of ["backend-1", "ui-1", "worker-1"]) expect(starts(record, name), name).toHaveLength(1);

    const after = await ps(dir, env);
    expect(after.filter((row) => row.instance === 1)).toEqual(before.filter((row) => row.instance === 1));
    expect(after.map((row) => row.status)).toEqual(Array(6).fill("healthy"));

    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(recordedPids(record), [oldPort, ...after.map((row) => row.port as number)]);
  });
});
