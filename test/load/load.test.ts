import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectNothingLeft,
  fixtureCommand,
  onCleanup,
  project,
  ps,
  randomRange,
  readRecords,
  type PsJson,
  type RecordLine,
  recordedPids,
  tempProject,
  waitUntil,
} from "../support/helpers.js";
import { answer, filesUnder, keepers, leftoverProcesses, loadCli, rssKiB } from "../support/load-helpers.js";

const INSTANCES = 50;
const PROJECTS = 30;

/** After `down`: no record, no port reservation, no control socket or supervisor log left; logs and sticky ports stay. */
function expectStateEmpty(state: string): void {
  expect(
    filesUnder(state).filter((file) => !file.startsWith("logs/") && !file.startsWith("sticky/")),
    "state files left",
  ).toEqual([]);
}

/**
 * Checks a running stack of the three-tier fixture (db ← api ← web, each named `PROJECT/SERVICE#INSTANCE`)
 * against `ps --json` rows: every service healthy, every port distinct and answered by the service that `ps`
 * says holds it, each service started once with its own instance's ports injected, after what it depends on
 * was listening.
 */
async function expectWiredStacks(rows: readonly PsJson[], records: readonly RecordLine[]): Promise<void> {
  expect(
    rows.filter((row) => row.status !== "healthy"),
    "services that are not healthy",
  ).toEqual([]);
  const ports = rows.map((row) => row.port as number);
  expect(new Set(ports).size, "distinct ports").toBe(rows.length);

  const nameOf = (row: PsJson) => `${row.project}/${row.service}#${row.instance}`;
  const byName = new Map(rows.map((row) => [nameOf(row), row]));
  for (const row of rows) expect(await answer(row.port as number), `what answers on port ${row.port}`).toEqual({ name: nameOf(row), port: row.port });

  const starts = records.filter((line) => line.event === "start");
  expect(starts.map((line) => line.name).sort(), "one start per service").toEqual([...byName.keys()].sort());
  const url = (port: number | null | undefined) => `http://127.0.0.1:${port}`;
  for (const line of starts) {
    const own = byName.get(line.name) as PsJson;
    const sibling = (service: string) => byName.get(`${own.project}/${service}#${own.instance}`);
    const upstream = { db: undefined, api: "db", web: "api" }[own.service];
    // Its own discovery variables and its upstream's: not those of the instance's other services.
    expect(line.env, line.name).toMatchObject({
      PORT: String(own.port),
      PORTMATE_INSTANCE: String(own.instance),
      [`${own.service.toUpperCase()}_URL`]: url(own.port),
      ...(upstream ? { [`${upstream.toUpperCase()}_PORT`]: String(sibling(upstream)?.port) } : {}),
    });
    const unused = ["db", "api", "web"].filter((service) => service !== own.service && service !== upstream);
    for (const service of unused) expect(line.env, line.name).not.toHaveProperty(`${service.toUpperCase()}_PORT`);
    if (!upstream) continue;
    expect(line.env?.UPSTREAM_URL, `${line.name} is pointed at its own instance's ${upstream}`).toBe(url(sibling(upstream)?.port));
    const listened = records.findIndex((other) => other.event === "listening" && other.name === `${own.project}/${upstream}#${own.instance}`);
    expect(listened, `${upstream} listened before ${line.name} started`).toBeGreaterThanOrEqual(0);
    expect(listened).toBeLessThan(records.indexOf(line));
  }
}

/** A stack of three fixture services, db ← api ← web, each checked over HTTP and told its upstream's URL. */
function threeTiers(name: string, range: string): string {
  const service = (id: string, upstream?: string) =>
    [
      `  ${id}:`,
      `    command: ${fixtureCommand(`--name \${project}/${id}#\${instance} --record record.jsonl`)}`,
      ...(upstream ? [`    depends_on: [${upstream}]`, `    env: {UPSTREAM_URL: "\${services.${upstream}.url}"}`] : []),
      // Hundreds of processes starting on a couple of cores: far slower than the default deadline assumes.
      "    health: {http: /, timeout: 5m}",
    ].join("\n");
  return [`name: ${name}`, `ports: {range: ${range}}`, "services:", service("db"), service("api", "db"), service("web", "api"), ""].join("\n");
}

describe("load and scale", () => {
  it(
    `runs ${INSTANCES} instances of a three-service stack: every service healthy on a port of its own, wired to its own instance; down leaves nothing`,
    async () => {
      const { dir, env, record, state } = project(threeTiers("big", randomRange().text));
      const up = await loadCli(["up", "-d", "--instances", String(INSTANCES)], dir, env);
      expect(up.exitCode, up.all).toBe(0);

      const rows = await ps(dir, env);
      expect(rows).toHaveLength(3 * INSTANCES);
      // In instance order: 9 before 10.
      expect(rows.map((row) => row.instance)).toEqual(Array.from({ length: INSTANCES }, (_, index) => [index + 1, index + 1, index + 1]).flat());
      await expectWiredStacks(rows, readRecords(record));
      const [supervisor = 0, watchdog = 0] = keepers(state, "big");
      // The fixtures take about 45 MiB resident each (7 MiB of it their own); the one supervisor keeping all
      // 150 of them, their pipes, logs and health checks needs about twice what it needs for one stack.
      expect(rssKiB(supervisor) / 1024, "supervisor MiB").toBeLessThan(256);

      const down = await loadCli(["down"], dir, env);
      expect(down.exitCode, down.all).toBe(0);
      await expectNothingLeft(
        recordedPids(record),
        rows.map((row) => row.port as number),
      );
      await waitUntil(() => leftoverProcesses([state], [supervisor, watchdog]).length === 0, "the supervisor and its watchdog exit after down", 60_000);
      expectStateEmpty(state);
    },
    15 * 60_000,
  );

  it(
    `starts ${PROJECTS} projects at the same instant in one state folder: no port is given twice; ${PROJECTS} downs at once leave nothing`,
    async () => {
      // One narrow range for all of them (90 ports wanted, 100 there): every run scans it from the bottom.
      const range = randomRange(100).text;
      const shared = tempProject({});
      const env = { PORTMATE_STATE_DIR: join(shared, "state") };
      onCleanup(async () => {
        await loadCli(["down", "-a"], shared, env);
      });
      const names = Array.from({ length: PROJECTS }, (_, index) => `p${String(index + 1).padStart(2, "0")}`);
      const dirs = names.map((name) => {
        const dir = join(shared, name);
        mkdirSync(dir);
        writeFileSync(join(dir, "portmate.yaml"), threeTiers(name, range));
        return dir;
      });

      const ups = await Promise.all(dirs.map((dir) => loadCli(["up", "-d"], dir, env)));
      for (const [index, result] of ups.entries()) expect(result.exitCode, `${names[index]}: ${result.all}`).toBe(0);

      const rows = await ps(shared, env, "-a");
      expect(rows).toHaveLength(3 * PROJECTS);
      const records = dirs.flatMap((dir) => readRecords(join(dir, "record.jsonl")));
      await expectWiredStacks(rows, records);
      const overseers = names.flatMap((name) => keepers(env.PORTMATE_STATE_DIR, name));

      const downs = await Promise.all(dirs.map((dir) => loadCli(["down"], dir, env)));
      for (const [index, result] of downs.entries()) expect(result.exitCode, `${names[index]}: ${result.all}`).toBe(0);
      await expectNothingLeft(
        dirs.flatMap((dir) => recordedPids(join(dir, "record.jsonl"))),
        rows.map((row) => row.port as number),
      );
      await waitUntil(() => leftoverProcesses([env.PORTMATE_STATE_DIR], overseers).length === 0, "every supervisor and watchdog exits after down", 60_000);
      expectStateEmpty(env.PORTMATE_STATE_DIR);
      expect(readdirSync(join(env.PORTMATE_STATE_DIR, "sticky")).sort()).toEqual(names.map((name) => `${name}.json`));
    },
    15 * 60_000,
  );
});
