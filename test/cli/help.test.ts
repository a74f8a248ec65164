// What a person reads before running anything: every command's --help, `help` of a command that does not exist,
// the completion scripts run by real shells, and -f/-p typed after the command.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, fixtureCommand, project, randomRange, ROOT, runCli, tempProject, yaml } from "../support/helpers.js";
import { describeWith, FISH, ZSH } from "../support/requirements.js";

const COMMANDS = [
  "up",
  "ps",
  "down",
  "logs",
  "port",
  "env",
  "export",
  "config",
  "who",
  "restart",
  "stop",
  "start",
  "run",
  "proxy",
  "trust",
  "dashboard",
  "mcp",
  "init",
  "completion",
];

/** A project whose portmate.yaml has three services, and a `portmate` on PATH that runs the built CLI. */
function completionProject() {
  const dir = tempProject({
    "portmate.yaml": yaml`
      services:
        backend: {command: node backend.js}
        ui: {command: node ui.js}
        admin: {command: node admin.js}
    `,
  });
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "portmate"), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
  const env = { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}` };
  return { dir, env };
}

/** The completion script for `shell`, written into the project. */
async function scriptFile(dir: string, shell: string): Promise<string> {
  const result = await runCli(["completion", shell], { cwd: dir });
  expect(result.exitCode, result.all).toBe(0);
  const path = join(dir, `portmate.${shell}`);
  writeFileSync(path, result.stdout);
  return path;
}

describe("help", () => {
  it.each(COMMANDS)("`%s --help` fits 80 columns, has examples and exit codes, and no internal or doubled defaults", async (command) => {
    const { stdout, exitCode } = await runCli([command, "--help"], { cwd: tempProject({}) });
    expect(exitCode).toBe(0);
    for (const line of stdout.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(stdout).toMatch(/^Examples:\n {2}(portmate|eval "\$\(portmate) /m);
    expect(stdout).toMatch(/^Exit codes:\n {2}0 /m);
    expect(stdout).toMatch(/^ {2}70 +a bug in portmate/m);
    expect(stdout).not.toMatch(/\(default: \{\}\)|\(default: \[\]\)|\(default:? [^)]*\)\s*\(default/);
    expect((await runCli(["help", command], { cwd: tempProject({}) })).stdout).toBe(stdout);
  });

  it("wraps to a wider terminal too, up to 100 columns", async () => {
    const { stdout } = await runCli(["up", "--help"], { cwd: tempProject({}) });
    // Piped, help is 80 columns wide: every long description was wrapped, not cut.
    expect(stdout).toContain("supervisor running in the background");
  });

  it("makes `help` of an unknown command a usage error with a did-you-mean", async () => {
    const near = await runCli(["help", "upp"], { cwd: tempProject({}) });
    expect(near.exitCode).toBe(2);
    expect(near.stderr.split("\n")[0]).toBe('no command "upp" (did you mean "up"?)');
    const far = await runCli(["help", "nosuch"], { cwd: tempProject({}) });
    expect(far.exitCode).toBe(2);
    expect(far.stderr).toMatch(/^no command "nosuch"\nhint: commands: up, ps, down/);
  });

  it("takes -f and -p after the command as before it", async () => {
    const range = randomRange();
    const { dir, env } = project(yaml`
      ports: {range: ${range.text}}
      services:
        api: {command: ${fixtureCommand("--name api")}}
    `);
    writeFileSync(join(dir, "other.yaml"), `name: elsewhere\nservices:\n  web: {command: node web.js}\n`);
    const before = await runCli(["-p", "demo2", "config", "--json"], { cwd: dir, env });
    const after = await runCli(["config", "--json", "-p", "demo2"], { cwd: dir, env });
    expect(after.exitCode, after.all).toBe(0);
    expect(JSON.parse(after.stdout).name).toBe("demo2");
    expect(after.stdout).toBe(before.stdout);
    const file = await runCli(["config", "-f", "other.yaml", "--json"], { cwd: dir, env });
    expect(file.exitCode, file.all).toBe(0);
    expect(Object.keys(JSON.parse(file.stdout).services)).toEqual(["web"]);
  });
});

describe("the entry", () => {
  it("is the package's bin, and dist/portmate.js, its former path, runs the same CLI", async () => {
    const bin = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> }).bin.portmate;
    expect(join(ROOT, bin ?? "")).toBe(CLI);
    const version = execFileSync(process.execPath, [CLI, "--version"], { encoding: "utf8" });
    expect(version).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(execFileSync(process.execPath, [join(ROOT, "dist", "portmate.js"), "--version"], { encoding: "utf8" })).toBe(version);
    const help = execFileSync(process.execPath, [CLI, "ps", "--help"], { encoding: "utf8" });
    expect(execFileSync(process.execPath, [join(ROOT, "dist", "portmate.js"), "ps", "--help"], { encoding: "utf8" })).toBe(help);
  });
});

describe("completion", () => {
  it("completes commands, flags, and the services of the nearest portmate.yaml in bash", async () => {
    const { dir, env } = completionProject();
    const script = await scriptFile(dir, "bash");
    /** What bash's completion offers for the words typed so far (the last one being typed). */
    const complete = (...words: string[]) =>
      execFileSync("bash", ["-c", `source "$0"; COMP_WORDS=(portmate "$@"); COMP_CWORD=$#; _portmate; printf '%s\\n' "\${COMPREPLY[@]}"`, script, ...words], {
        cwd: dir,
        env,
        encoding: "utf8",
      })
        .split("\n")
        .filter(Boolean);
    expect(complete("")).toContain("restart");
    expect(complete("re")).toEqual(["restart"]);
    expect(complete("up", "")).toEqual(["backend", "ui", "admin"]);
    expect(complete("logs", "a")).toEqual(["admin"]);
    expect(complete("up", "--str")).toEqual(["--strict-ports"]);
    expect(complete("export", "")).toEqual(["compose", "kubernetes", "nomad"]);
    // run: a service, then after `--` another program's words, so file names.
    expect(complete("run", "a")).toEqual(["admin"]);
    expect(complete("run", "--", "portmate.y")).toEqual(["portmate.yaml"]);
    // After -f, file names.
    expect(complete("-f", "portmate.y")).toEqual(["portmate.yaml"]);
  });

  it("refuses a shell it has no script for, with a did-you-mean", async () => {
    const result = await runCli(["completion", "bahs"], { cwd: tempProject({}) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('no completion for "bahs" (did you mean "bash"?)');
  });
});

describeWith(ZSH, "completion in zsh", () => {
  it("offers the services of the nearest portmate.yaml", async () => {
    const { dir, env } = completionProject();
    const script = await scriptFile(dir, "zsh");
    // zsh's completion system needs an interactive line editor; its two builtins the script calls are
    // stood in for by functions that print what they were given.
    const offered = execFileSync(
      "zsh",
      ["-c", `compdef() { :; }; compadd() { shift; print -l -- "$@"; }; source "$1"; words=(portmate up ""); CURRENT=3; _portmate`, "zsh", script],
      { cwd: dir, env, encoding: "utf8" },
    );
    expect(offered.split("\n").filter(Boolean)).toEqual(["backend", "ui", "admin"]);
  });
});

describeWith(FISH, "completion in fish", () => {
  it("offers the services of the nearest portmate.yaml", async () => {
    const { dir, env } = completionProject();
    const script = await scriptFile(dir, "fish");
    const offered = execFileSync("fish", ["-c", `source "$argv[1]"; complete -C "portmate restart "`, script], { cwd: dir, env, encoding: "utf8" });
    // fish sorts what it offers.
    expect(offered.split("\n").filter(Boolean)).toEqual(["admin", "backend", "ui"]);
  });
});
