import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { ConfigError } from "../../../src/errors.js";
import { cases, MARK, MARKER_JS } from "../../support/config-cases.js";
import { tempProject, yaml } from "../../support/helpers.js";

function firstIssue(dir: string) {
  try {
    loadConfig({ cwd: dir });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues[0];
  }
  throw new Error("the config loaded without error");
}

describe("invalid configs", () => {
  it("covers at least 15 kinds of mistakes", () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)("$name: points at the right line and column", ({ text, at, path, message, hint }) => {
    const dir = tempProject({ "portmate.yaml": text, "marker.js": MARKER_JS });
    const issue = firstIssue(dir);
    expect(issue).toBeDefined();
    expect(`${issue?.line}:${issue?.col}`).toBe(at);
    expect(issue?.path).toBe(path);
    expect(issue?.message).toMatch(message);
    if (hint) expect(issue?.hint).toMatch(hint);
  });

  it("reports every problem of a stage at once, not just the first", () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        services:
          api:
            command: ${MARK}
            port: nope
            stop_timeout: soon
      `,
    });
    try {
      loadConfig({ cwd: dir });
      throw new Error("loaded");
    } catch (error) {
      const issues = (error as ConfigError).issues;
      expect(issues.map((issue) => issue.path)).toEqual(["services.api.port", "services.api.stop_timeout"]);
    }
  });
});
