import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { UsageError } from "../../../src/errors.js";
import { buildPlan } from "../../../src/plan/build.js";
import { selectServices } from "../../../src/plan/select-services.js";
import { tempProject, yaml } from "../../support/helpers.js";

const CONFIG = yaml`
  services:
    a:
      command: node a.js \${GREETING}
      port: none
      env:
        SAID: "said \${GREETING}"
`;

/** The first service of the config in `dir` as planned, loaded with `env` and `envFiles`. */
function planned(dir: string, env: Record<string, string>, envFiles?: string[]) {
  const loaded = loadConfig({ cwd: dir, env, ...(envFiles ? { envFiles } : {}) });
  const plan = buildPlan(loaded.config, selectServices(loaded.config), 1, new Map());
  return { service: plan.services[0], warnings: loaded.warnings.map((warning) => warning.message), config: loaded.config };
}

describe(".env and --env-file", () => {
  it("reads the .env beside the config for ${VAR}, without passing it to the services", () => {
    const dir = tempProject({ "portmate.yaml": CONFIG, ".env": "GREETING=hello\n" });
    const { service, warnings, config } = planned(dir, {});
    expect(service?.command).toMatchObject({ args: ["a.js", "hello"] });
    expect(service?.env.SAID).toBe("said hello");
    expect(service?.env.GREETING).toBeUndefined();
    expect(config.dotenvFiles).toEqual([join(dir, ".env")]);
    expect(warnings).toEqual([]);
  });

  it("lets the environment win over the .env", () => {
    const dir = tempProject({ "portmate.yaml": CONFIG, ".env": "GREETING=hello\n" });
    expect(planned(dir, { GREETING: "from the environment" }).service?.env.SAID).toBe("said from the environment");
  });

  it("lets the top-level env_file win over the .env", () => {
    const dir = tempProject({ "portmate.yaml": `env_file: local.env\n${CONFIG}`, ".env": "GREETING=hello\n", "local.env": "GREETING=local\n" });
    expect(planned(dir, {}).service?.env.SAID).toBe("said local");
  });

  it("reads --env-file files instead of the .env, a later one winning, relative to the working folder", () => {
    const dir = tempProject({ "portmate.yaml": CONFIG, ".env": "GREETING=hello\nOTHER=x\n", "a.env": "GREETING=a\n", "b.env": "GREETING=b\n" });
    const { service, config } = planned(dir, {}, ["a.env", "b.env"]);
    expect(service?.env.SAID).toBe("said b");
    expect(config.variables.OTHER).toBeUndefined();
    expect(config.dotenvFiles).toEqual([join(dir, "a.env"), join(dir, "b.env")]);
  });

  it("is fine without a .env, and says so when a variable is unset", () => {
    const dir = tempProject({ "portmate.yaml": CONFIG });
    expect(planned(dir, {}).warnings).toEqual([
      "variable GREETING is not set; using an empty string (read the environment; no .env beside portmate.yaml)",
      "variable GREETING is not set; using an empty string (read the environment; no .env beside portmate.yaml)",
    ]);
  });

  it("names the files it read in the unset-variable warning", () => {
    const dir = tempProject({ "portmate.yaml": `env_file: local.env\n${CONFIG}`, ".env": "OTHER=1\n", "local.env": "" });
    expect(planned(dir, {}).warnings[0]).toBe("variable GREETING is not set; using an empty string (read the environment, local.env and .env)");
    expect(planned(dir, {}, [join(dir, "local.env")]).warnings[0]).toMatch(/\(read the environment, local\.env and --env-file .*local\.env\)$/);
  });

  it("makes an --env-file that does not exist a usage error", () => {
    const dir = tempProject({ "portmate.yaml": CONFIG });
    expect(() => planned(dir, {}, ["missing.env"])).toThrow(UsageError);
    expect(() => planned(dir, {}, ["missing.env"])).toThrow(/--env-file .*missing\.env: the file does not exist/);
  });
});
