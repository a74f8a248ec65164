// Several config files merged (`-f a.yaml -f b.yaml`), and the portmate.override.yaml beside portmate.yaml.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectNothingLeft, fixtureCommand, project, ps, randomRange, readRecords, recordedPids, runCli, waitUntil, yaml } from "../support/helpers.js";
import { screenTable } from "../support/screen.js";
import { TerminalSession } from "../support/terminal.js";

/** A stack whose web answers with the name its args give it, and whose env says where GREETING came from. */
function base(range: string): string {
  return yaml`
    name: layered
    ports: {range: ${range}}
    services:
      web:
        command: ${fixtureCommand("--record record.jsonl")}
        args: [--name, web-base]
        env:
          GREETING: from-base
          LEVEL: info
        health: {http: /}
  `;
}

const OVERRIDE = yaml`
  services:
    web:
      args: [--name, web-override]
      env:
        GREETING: from-override
`;

/** The env and argv of web's starts, in order. */
function starts(record: string) {
  return readRecords(record)
    .filter((line) => line.event === "start")
    .map((line) => ({ greeting: line.env?.GREETING, level: line.env?.LEVEL, name: line.argv?.at(-1) }));
}

/** What web's `/` answers, by the port `ps` gives. */
async function answer(dir: string, env: Record<string, string>): Promise<string> {
  const [web] = await ps(dir, env);
  const response = await fetch(`http://127.0.0.1:${web?.port}/`);
  return ((await response.json()) as { name: string }).name;
}

describe("several config files", () => {
  it("merges -f files given before and after the command, shows the merge in `config`, which reads back as it is", async () => {
    const { dir, env } = project(base(randomRange().text));
    writeFileSync(join(dir, "dev.yaml"), OVERRIDE);
    writeFileSync(join(dir, "more.yaml"), "services:\n  web:\n    env:\n      LEVEL: debug\n");
    const printed = await runCli(["-f", "portmate.yaml", "config", "-f", "dev.yaml", "-f", "more.yaml"], { cwd: dir, env });
    expect(printed.exitCode, printed.all).toBe(0);
    expect(printed.stdout).toContain("# Merged from portmate.yaml, dev.yaml, more.yaml, in that order.");
    expect(printed.stdout).toMatch(/GREETING: from-override\n\s+LEVEL: debug/);
    expect(printed.stdout).toContain("- web-override");
    expect(printed.stdout).not.toContain("web-base");
    // What `config` printed is the merged config: read back alone, it is the same.
    writeFileSync(join(dir, "merged.yaml"), printed.stdout);
    const json = async (...files: string[]) => {
      const result = await runCli([...files.flatMap((file) => ["-f", file]), "config", "--json"], { cwd: dir, env });
      expect(result.exitCode, result.all).toBe(0);
      return (JSON.parse(result.stdout) as { services: unknown }).services;
    };
    expect(await json("merged.yaml")).toEqual(await json("portmate.yaml", "dev.yaml", "more.yaml"));
    const files = await runCli(["-f", "portmate.yaml", "-f", "dev.yaml", "config", "--json"], { cwd: dir, env });
    expect((JSON.parse(files.stdout) as { files: string[] }).files).toEqual([join(dir, "portmate.yaml"), join(dir, "dev.yaml")]);
    const names = await runCli(["config", "--services", "-f", "portmate.yaml", "-f", "dev.yaml"], { cwd: dir, env });
    expect(names.stdout).toBe("web");
  });

  it("points a problem at the file and line that set it", async () => {
    const { dir, env } = project(base(randomRange().text));
    writeFileSync(join(dir, "portmate.override.yaml"), "services:\n  web:\n    health: {http: /, interval: often}\n  worker:\n    port: none\n");
    const result = await runCli(["config"], { cwd: dir, env });
    expect(result.exitCode, result.all).toBe(2);
    expect(result.stderr).toContain('portmate.override.yaml:3:33: services.web.health.interval: must be a duration like `250ms`, `5s` or `1m`, got "often"');
    expect(result.stderr).toContain('portmate.override.yaml:5:5: services.worker: missing required key "command"');
    // `ps` and `down` still work: they need only the project's name.
    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
  });

  it("runs a detached stack with the override, and applies the override when it is saved, removed or made", { timeout: 90_000 }, async () => {
    const { dir, env, record } = project(base(randomRange().text));
    writeFileSync(join(dir, "portmate.override.yaml"), OVERRIDE);
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    expect(starts(record)).toEqual([{ greeting: "from-override", level: "info", name: "web-override" }]);
    expect(await answer(dir, env)).toBe("web-override");

    writeFileSync(join(dir, "portmate.override.yaml"), OVERRIDE.replace("from-override", "saved"));
    await waitUntil(() => starts(record).some((start) => start.greeting === "saved"), "web restarted with the saved override", 20_000);
    rmSync(join(dir, "portmate.override.yaml"));
    await waitUntil(() => starts(record).at(-1)?.name === "web-base", "web restarted without the override", 20_000);
    expect(starts(record).at(-1)).toEqual({ greeting: "from-base", level: "info", name: "web-base" });
    await waitUntil(async () => (await answer(dir, env).catch(() => "")) === "web-base", "web answering as web-base", 20_000);
    // An override made while the stack runs is merged from then on (here the .yml spelling).
    writeFileSync(join(dir, "portmate.override.yml"), "services:\n  web:\n    env:\n      LEVEL: debug\n");
    await waitUntil(() => starts(record).at(-1)?.level === "debug", "web restarted with the new override", 20_000);

    const pids = recordedPids(record);
    const down = await runCli(["down"], { cwd: dir, env });
    expect(down.exitCode, down.all).toBe(0);
    await expectNothingLeft(pids, []);
  });

  it("keeps a detached stack to its -f files: edits of them apply, an override beside them is not read", { timeout: 90_000 }, async () => {
    const { dir, env, record } = project(base(randomRange().text));
    writeFileSync(join(dir, "dev.yaml"), OVERRIDE);
    const up = await runCli(["up", "-d", "-f", "portmate.yaml", "-f", "dev.yaml"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    expect(starts(record).at(-1)).toEqual({ greeting: "from-override", level: "info", name: "web-override" });
    // `ps` without -f finds the same project (its name is in portmate.yaml).
    expect((await ps(dir, env)).map((row) => row.service)).toEqual(["web"]);

    writeFileSync(join(dir, "portmate.override.yaml"), "services:\n  web:\n    env:\n      LEVEL: ignored\n");
    writeFileSync(join(dir, "dev.yaml"), OVERRIDE.replace("from-override", "edited"));
    await waitUntil(() => starts(record).some((start) => start.greeting === "edited"), "web restarted with the edited dev.yaml", 20_000);
    expect(starts(record).at(-1)).toEqual({ greeting: "edited", level: "info", name: "web-override" });
    // `up` without them on the running stack applies the stack's own files, and says so.
    const again = await runCli(["up", "-d"], { cwd: dir, env });
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stderr).toContain("layered reads the config files it was started with: portmate.yaml, dev.yaml; `portmate down`, then `up`, to read others");
    const same = await runCli(["up", "-d", "-f", "portmate.yaml", "-f", "dev.yaml"], { cwd: dir, env });
    expect(same.stderr).not.toContain("reads the config files it was started with");
    const pids = recordedPids(record);
    expect((await runCli(["down"], { cwd: dir, env })).exitCode).toBe(0);
    await expectNothingLeft(pids, []);
  });

  it("runs `up -f a -f b` in a terminal with the merged services, and stops on Ctrl-C", { timeout: 60_000 }, async () => {
    const { dir, env, record } = project(base(randomRange().text));
    writeFileSync(join(dir, "dev.yaml"), `${OVERRIDE}  mail:\n    command: ${fixtureCommand("--name mail --record record.jsonl")}\n`);
    const terminal = TerminalSession.start(["up", "-f", "portmate.yaml", "-f", "dev.yaml"], { cwd: dir, env });
    const lines = await terminal.waitUntil((now) => screenTable(now).size === 2, "the table of web and mail");
    const table = screenTable(lines);
    expect([...table.keys()].sort()).toEqual(["mail", "web"]);
    expect(await answer(dir, env)).toBe("web-override");
    const ports = [...table.values()].flatMap((row) => row.ports);
    terminal.type("\x03");
    const { exitCode, text } = await terminal.finished();
    expect(exitCode, text).toBe(0);
    expect(text).toMatch(/Stopped\.$/);
    await expectNothingLeft(recordedPids(record), ports);
  });
});
