import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { tempProject, yaml } from "../../support/helpers.js";

const load = (text: string) => loadConfig({ cwd: tempProject({ "portmate.yaml": text }), commandsRunHere: false }).config;

describe("compose's spellings", () => {
  it("take `restart: unless-stopped` as `always`, alone or as a policy", () => {
    const config = load(yaml`
      services:
        api:
          command: node api.js
          restart: unless-stopped
        worker:
          command: node worker.js
          restart: {policy: unless-stopped, max_restarts: 3}
    `);
    expect(config.services.get("api")?.restart.policy).toBe("always");
    expect(config.services.get("worker")?.restart).toMatchObject({ policy: "always", maxRestarts: 3 });
  });
});
