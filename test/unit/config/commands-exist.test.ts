import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { tempProject, yaml } from "../../support/helpers.js";

describe("the check that each command's program exists", () => {
  it("passes over a disabled service: it runs only when named, perhaps on another machine", () => {
    const dir = tempProject({
      "portmate.yaml": yaml`
        services:
          api:
            command: node -e "1"
          worker:
            command: not-installed-here --queue default
            disabled: true
      `,
    });
    expect([...loadConfig({ cwd: dir }).config.services.keys()]).toEqual(["api", "worker"]);
  });
});
