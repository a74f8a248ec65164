import { describe, expect, it } from "vitest";
import { fixtureCommand, project, ps, randomRange, runCli, yaml } from "../support/helpers.js";

/** A stack of web and mail (profile debug); with `webNeedsMail`, web depends on mail. */
function stack(webNeedsMail = false): string {
  return yaml`
    ports: {range: ${randomRange().text}}
    services:
      web:
        command: ${fixtureCommand("--name web")}
        ${webNeedsMail ? "depends_on: [mail]" : ""}
      mail:
        command: ${fixtureCommand("--name mail")}
        profiles: [debug]
  `;
}

/** Runs `up -d ARGS…` on a fresh project of `text` and gives the services that run, sorted. */
async function started(text: string, args: string[], extraEnv: Record<string, string> = {}): Promise<string[]> {
  const { dir, env } = project(text);
  const up = await runCli(["up", "-d", ...args], { cwd: dir, env: { ...env, ...extraEnv } });
  expect(up.exitCode, up.all).toBe(0);
  const rows = await ps(dir, env);
  expect(rows.every((row) => row.status === "healthy")).toBe(true);
  return rows.map((row) => row.service).sort();
}

describe("profiles", () => {
  it("leaves a service with profiles out of up, unless its profile is active, it is named, or a started service needs it", async () => {
    const [plain, flag, variable, named, needed] = await Promise.all([
      started(stack(), []),
      started(stack(), ["--profile", "debug"]),
      started(stack(), [], { PORTMATE_PROFILES: "other,debug" }),
      started(stack(), ["mail"]),
      started(stack(true), []),
    ]);
    expect(plain).toEqual(["web"]);
    expect(flag).toEqual(["mail", "web"]);
    expect(variable).toEqual(["mail", "web"]);
    expect(named).toEqual(["mail"]);
    expect(needed).toEqual(["mail", "web"]);
  });

  it("runs up without a profile's service whose program is not installed here, and says so when that profile is asked for", async () => {
    const { dir, env } = project(stack().replace(/command: .*--name mail.*/, "command: maildev-not-installed --web ${port}"));
    const up = await runCli(["up", "-d"], { cwd: dir, env });
    expect(up.exitCode, up.all).toBe(0);
    expect((await ps(dir, env)).map((row) => row.service)).toEqual(["web"]);
    const debug = await runCli(["up", "-d", "--profile", "debug"], { cwd: dir, env });
    expect(debug.exitCode, debug.all).toBe(2);
    expect(debug.stderr).toMatch(/^portmate\.yaml:\d+:\d+: services\.mail\.command: "maildev-not-installed" is not a command found on PATH/m);
    // The stack runs on as it was.
    expect((await ps(dir, env)).map((row) => [row.service, row.status])).toEqual([["web", "healthy"]]);
  });

  it("shows the services of the active profiles in config, and warns about a profile no service has", async () => {
    const { dir, env } = project(stack());
    const services = async (...args: string[]) => {
      const result = await runCli(["config", "--json", ...args], { cwd: dir, env });
      expect(result.exitCode, result.all).toBe(0);
      return { names: Object.keys((JSON.parse(result.stdout) as { services: object }).services).sort(), stderr: result.stderr };
    };
    expect((await services()).names).toEqual(["web"]);
    expect((await services("--profile", "debug")).names).toEqual(["mail", "web"]);
    const typo = await services("--profile", "debgu");
    expect(typo.names).toEqual(["web"]);
    expect(typo.stderr).toContain('no service has the profile "debgu" (did you mean "debug"?): the profiles are debug');
  });

  it("starts a profile's services on a stack that runs already, leaving the others running", async () => {
    const { dir, env } = project(stack());
    const first = await runCli(["up", "-d"], { cwd: dir, env });
    expect(first.exitCode, first.all).toBe(0);
    const [web] = await ps(dir, env);
    const again = await runCli(["up", "-d", "--profile", "debug"], { cwd: dir, env });
    expect(again.exitCode, again.all).toBe(0);
    const rows = await ps(dir, env);
    expect(rows.map((row) => row.service).sort()).toEqual(["mail", "web"]);
    expect(rows.find((row) => row.service === "web")?.pid).toBe(web?.pid);
  });
});
