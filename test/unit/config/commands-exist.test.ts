import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { ConfigError, formatIssue } from "../../../src/errors.js";
import { planStack } from "../../../src/stack/up.js";
import { planConfig } from "../../../src/stack/resolve-config.js";
import { tempProject, yaml } from "../../support/helpers.js";

const CONFIG = yaml`
  services:
    api:
      command: node -e "1"
      port: none
    worker:
      command: not-installed-here --queue default
      port: none
      disabled: true
    mail:
      command: maildev-not-installed --web 1080
      port: none
      profiles: [debug]
`;

/** The lines of the ConfigError `run` throws. */
async function problems(run: () => unknown): Promise<string[]> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => formatIssue(issue));
    throw error;
  }
  throw new Error("no ConfigError");
}

describe("the check that each command's program exists", () => {
  it("passes over a disabled service and one with profiles at load: each runs only when asked for", () => {
    const dir = tempProject({ "portmate.yaml": CONFIG });
    const loaded = loadConfig({ cwd: dir });
    expect([...loaded.config.services.keys()]).toEqual(["api", "worker", "mail"]);
    expect([...loaded.missingPrograms.keys()]).toEqual(["worker", "mail"]);
  });

  it("stops an up that would start one of them, at the line of its command, before anything starts", async () => {
    const dir = tempProject({ "portmate.yaml": CONFIG });
    const plan = (options: Parameters<typeof planStack>[0]) => () => planStack({ cwd: dir, stateDir: `${dir}/state`, ...options });
    expect(await problems(plan({ profiles: ["debug"] }))).toEqual([
      'portmate.yaml:10:14: services.mail.command: "maildev-not-installed" is not a command found on PATH or in node_modules/.bin\n  hint: install it, or give its path',
    ]);
    expect(await problems(plan({ services: ["worker"] }))).toEqual([
      'portmate.yaml:6:14: services.worker.command: "not-installed-here" is not a command found on PATH or in node_modules/.bin\n  hint: install it, or give its path',
    ]);
    // `config` shows what `up` starts: the same error for the same profile.
    expect(await problems(() => planConfig({ cwd: dir, stateDir: `${dir}/state`, profiles: ["debug"] }))).toHaveLength(1);
  });

  it("stops loading for a service every up starts", () => {
    const dir = tempProject({ "portmate.yaml": CONFIG.replace("profiles: [debug]", "env: {}") });
    expect(() => loadConfig({ cwd: dir })).toThrow('"maildev-not-installed" is not a command found on PATH');
  });
});
