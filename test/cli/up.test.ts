import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  expectNothingLeft,
  fixtureCommand,
  pidGone,
  randomRange,
  readRecords,
  recordedPids,
  ROOT,
  runCli,
  startCli,
  tempProject,
  waitForOutput,
  waitUntil,
  yaml,
} from "../support/helpers.js";
import { proxyPid, viaProxy } from "../support/via-proxy.js";

/** Rows of the table `up` prints once every service is healthy: id → {pid, ports}. */
function parseTable(output: string): Map<string, { pid: number; ports: number[]; url: string; name: string }> {
  const lines = output.split("\n");
  const header = lines.findIndex((line) => /^SERVICE\s+PID\s+PORT\s+(NAME\s+)?URL/.test(line));
  // Columns by where their titles start: PORT may hold `8002 (http), 8003 (metrics)`, NAME is there with `proxy:`.
  const titles = [...(lines[header] ?? "").matchAll(/\S+/g)].map((match) => ({ title: match[0], at: match.index }));
  const cell = (line: string, title: string) => {
    const index = titles.findIndex((column) => column.title === title);
    if (index === -1) return "";
    return line.slice(titles[index]?.at, titles[index + 1]?.at).trim();
  };
  const rows = new Map<string, { pid: number; ports: number[]; url: string; name: string }>();
  for (const line of lines.slice(header + 1)) {
    if (!line.trim()) break;
    rows.set(cell(line, "SERVICE"), {
      pid: Number(cell(line, "PID")),
      ports: [...cell(line, "PORT").matchAll(/\d+/g)].map((match) => Number(match[0])),
      url: cell(line, "URL"),
      name: cell(line, "NAME"),
    });
  }
  return rows;
}

describe("portmate up (foreground)", () => {
  it("stops whole process trees on Ctrl-C, dependents first, killing what ignores SIGTERM", async () => {
    const range = randomRange();
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${range.text}}
        services:
          backend:
            command: ${fixtureCommand("--name backend --record record.jsonl --grandchild")}
            health: {http: /}
          stubborn:
            command: ${fixtureCommand("--name stubborn --record record.jsonl --ignore-term --escaped-grandchild")}
            stop_timeout: 1s
          ui:
            command: ${fixtureCommand("--name ui --record record.jsonl --say 'ui says hello'")}
            depends_on: [backend]
      `,
    });
    const cli = startCli(["up"], { cwd: dir });
    // Output is shown from its first line, so the hello may come before or after the table.
    const output = await waitForOutput(cli, /^(?=[\s\S]*^ui\s+\| ui says hello$)(?=[\s\S]*^SERVICE\s+PID)/m);
    const table = parseTable(output);
    expect([...table.keys()]).toEqual(["backend", "stubborn", "ui"]);
    const record = join(dir, "record.jsonl");
    const records = readRecords(record);
    // The grandchildren are real and running before the stop.
    const grandchildren = records.filter((line) => line.child).map((line) => line.child as number);
    expect(grandchildren).toHaveLength(2);
    for (const pid of grandchildren) expect(pidGone(pid)).toBe(false);

    cli.kill("SIGINT");
    const result = await cli;
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toMatch(/Stopping… \(press Ctrl-C again to kill at once\)\n[\s\S]*Stopped\./);
    expect(result.stdout).toMatch(/^portmate \| stubborn did not stop in time: killed$/m);

    const after = readRecords(record);
    const termAt = (name: string) => after.find((line) => line.name === name && line.event === "sigterm")?.t;
    expect(termAt("ui"), "ui got no SIGTERM").toBeDefined();
    expect(termAt("backend"), "backend got no SIGTERM").toBeDefined();
    expect(termAt("ui")).toBeLessThanOrEqual(termAt("backend") ?? 0);
    expect(after.some((line) => line.name === "stubborn" && line.event === "ignored-sigterm")).toBe(true);
    await expectNothingLeft(
      recordedPids(record),
      [...table.values()].flatMap((row) => row.ports),
    );
  });

  it("kills at once on a second Ctrl-C", async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${randomRange().text}}
        services:
          stubborn:
            command: ${fixtureCommand("--name stubborn --record record.jsonl --ignore-term --grandchild")}
            stop_timeout: 10m
      `,
    });
    const cli = startCli(["up"], { cwd: dir });
    const output = await waitForOutput(cli, /SERVICE\s+PID/);
    const record = join(dir, "record.jsonl");
    cli.kill("SIGINT");
    await waitForOutput(cli, /Stopping…/);
    // Without the second Ctrl-C this run would wait ten minutes; the test's own timeout would fail it.
    cli.kill("SIGINT");
    const result = await cli;
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toMatch(/Killing…/);
    await expectNothingLeft(
      recordedPids(record),
      [...parseTable(output).values()].flatMap((row) => row.ports),
    );
  });

  it("stops cleanly on Ctrl-C while the stack is still starting", async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${randomRange().text}}
        services:
          db:
            command: ${fixtureCommand("--name db --record record.jsonl --grandchild --say 'db up'")}
          slow:
            command: ${fixtureCommand("--name slow --record record.jsonl --listen-delay 60000")}
            depends_on: [db]
          never:
            command: ${fixtureCommand("--name never --record record.jsonl")}
            depends_on: [slow]
      `,
    });
    const record = join(dir, "record.jsonl");
    const cli = startCli(["up"], { cwd: dir });
    await waitUntil(() => readRecords(record).some((line) => line.name === "slow" && line.event === "start"), "slow to start");
    cli.kill("SIGINT");
    const result = await cli;
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stderr).toMatch(/Stopped before the stack was ready\./);
    expect(result.stdout).toMatch(/db\s+\| db up/);
    expect(readRecords(record).some((line) => line.name === "never")).toBe(false);
    await expectNothingLeft(recordedPids(record), []);
  });

  it("stops cleanly on SIGTERM too", async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${randomRange().text}}
        services:
          api:
            command: ${fixtureCommand("--name api --record record.jsonl --grandchild")}
      `,
    });
    const cli = startCli(["up"], { cwd: dir });
    const output = await waitForOutput(cli, /SERVICE\s+PID/);
    cli.kill("SIGTERM");
    const result = await cli;
    expect(result.exitCode, result.all).toBe(0);
    await expectNothingLeft(
      recordedPids(join(dir, "record.jsonl")),
      [...parseTable(output).values()].flatMap((row) => row.ports),
    );
  });

  it("stops cleanly when nobody reads its output any more (`portmate up | head`)", async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${randomRange().text}}
        services:
          chatty:
            command: ${fixtureCommand("--name chatty --record record.jsonl --grandchild --say-after 300 --say 'one more line'")}
      `,
    });
    const cli = startCli(["up"], { cwd: dir });
    const output = await waitForOutput(cli, /SERVICE\s+PID/);
    cli.stdout?.destroy();
    const result = await cli;
    expect(result.exitCode, result.all).toBe(0);
    await expectNothingLeft(
      recordedPids(join(dir, "record.jsonl")),
      [...parseTable(output).values()].flatMap((row) => row.ports),
    );
  });

  it("runs --instances 3 with distinct ports and instance prefixes", async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${randomRange().text}}
        services:
          api:
            command: ${fixtureCommand("--record record.jsonl --say 'api of instance ${instance}'")}
            url: http
          web:
            command: ${fixtureCommand("--record record.jsonl --say 'web talks to ${services.api.url}'")}
            depends_on: [api]
      `,
    });
    const cli = startCli(["up", "--instances", "3"], { cwd: dir });
    // Services print in whatever order they start: wait for all six lines, not just instance 3's.
    const output = await waitForOutput(cli, /^(?=(?:[\s\S]*?\| web talks to ){3})(?=(?:[\s\S]*?\| api of instance ){3})(?=[\s\S]*^SERVICE\s+PID)/m);
    const table = parseTable(output);
    expect([...table.keys()]).toEqual(["api", "web", "api#2", "web#2", "api#3", "web#3"]);
    const ports = [...table.values()].flatMap((row) => row.ports);
    expect(new Set(ports).size).toBe(6);
    for (const instance of [1, 2, 3]) {
      const suffix = instance === 1 ? "" : `#${instance}`;
      // Prefixes are padded to the longest of the ids and portmate's own, `portmate`.
      expect(output).toContain(`${`api${suffix}`.padEnd(8)} | api of instance ${instance}`);
      expect(output).toContain(`${`web${suffix}`.padEnd(8)} | web talks to ${table.get(`api${suffix}`)?.url}`);
    }
    cli.kill("SIGINT");
    expect((await cli).exitCode).toBe(0);
    await expectNothingLeft(recordedPids(join(dir, "record.jsonl")), ports);
  });

  it("exits 1 with the failing service's last 20 lines when it misses its deadline, leaving nothing", async () => {
    const says = Array.from({ length: 25 }, (_, index) => `--say 'line ${index + 1}'`).join(" ");
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${randomRange().text}}
        services:
          db:
            command: ${fixtureCommand("--name db --record record.jsonl --grandchild")}
          api:
            command: ${fixtureCommand(`--name api --record record.jsonl --no-listen ${says}`)}
            depends_on: [db]
            health: {tcp: true, timeout: 3s}
      `,
    });
    const result = await runCli(["up"], { cwd: dir });
    expect(result.exitCode, result.all).toBe(1);
    const lines = result.stderr.split("\n");
    expect(lines[0]).toMatch(/^api was not healthy after 3\.0s \(last check: connect to 127\.0\.0\.1:\d+: ECONNREFUSED, \d+ times over [23]\.\ds\)$/);
    expect(lines[1]).toBe("last 20 lines of api:");
    expect(lines.slice(2, 22)).toEqual(Array.from({ length: 20 }, (_, index) => `  line ${index + 6}`));
    // portmate's own teardown is not reported as if the services had crashed.
    expect(result.stdout).not.toMatch(/was killed by/);
    // Nothing the services printed is lost: the whole output is on stdout, with its prefixes.
    expect(result.stdout).toMatch(/^api\s+\| line 1\n[\s\S]*^api\s+\| line 25$/m);
    for (const pid of recordedPids(join(dir, "record.jsonl"))) expect(pidGone(pid), `pid ${pid} is still running`).toBe(true);
  });

  it("starts a named service with what it depends on, and exits with the services when they all finish", async () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        ports: {range: ${randomRange().text}}
        services:
          setup:
            command: ${fixtureCommand("--name setup --record record.jsonl --no-listen --exit-after 100")}
            port: none
          task:
            command: ${fixtureCommand("--name task --record record.jsonl --no-listen --exit-after 300 --exit-code 4")}
            port: none
            depends_on: {setup: completed}
          unrelated:
            command: ${fixtureCommand("--name unrelated --record record.jsonl")}
      `,
    });
    const result = await runCli(["up", "task"], { cwd: dir });
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toMatch(/^portmate \| task exited with code 4$/m);
    const names = new Set(readRecords(join(dir, "record.jsonl")).map((line) => line.name));
    expect([...names].sort()).toEqual(["setup", "task"]);
  });

  it("runs the demo stack of this repository: the UI gets the backend's URL, the admin page sees both", async () => {
    const cli = startCli(["-p", `demo-test-${process.pid}`, "up"], { cwd: ROOT });
    const output = await waitForOutput(cli, /SERVICE\s+PID[\s\S]*admin\s+\d+/);
    const table = parseTable(output);
    const backend = table.get("backend")?.url ?? "";
    const ui = await (await fetch(`${table.get("ui")?.url}/config.json`)).json();
    expect(ui).toEqual({ apiUrl: backend });
    const items = (await (await fetch(`${backend}/api/items`)).json()) as unknown[];
    expect(items.length).toBeGreaterThan(0);
    const status = (await (await fetch(`${table.get("admin")?.url}/status.json`)).json()) as { backend: { status: number }; ui: { status: number } };
    expect(status.backend.status).toBe(200);
    expect(status.ui.status).toBe(200);
    const metricsPort = table.get("admin")?.ports[1];
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).toMatch(/^admin_requests_total \d+/);
    // The demo has names (`proxy: true`): the UI's answers the same through the local proxy.
    const named = new URL(table.get("ui")?.name ?? "");
    expect(named.hostname).toBe(`ui.demo-test-${process.pid}.localhost`);
    const viaName = await viaProxy(Number(named.port), named.hostname, "/config.json");
    expect(JSON.parse(viaName.body)).toEqual({ apiUrl: backend });
    const proxy = proxyPid(process.env.PORTMATE_STATE_DIR as string) as number;
    const pids = [...table.values()].map((row) => row.pid);
    cli.kill("SIGINT");
    expect((await cli).exitCode).toBe(0);
    await expectNothingLeft(
      pids,
      [...table.values()].flatMap((row) => row.ports),
    );
    // No stack needs the proxy now; this test stops it rather than wait for it to end by itself.
    expect((await runCli(["proxy", "stop"], { cwd: ROOT })).exitCode).toBe(0);
    expect(pidGone(proxy)).toBe(true);
  });
});
