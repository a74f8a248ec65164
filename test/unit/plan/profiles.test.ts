import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { activeProfiles, unknownProfiles } from "../../../src/config/profiles.js";
import { selectedServices, selectServices } from "../../../src/plan/select-services.js";
import { tempProject, yaml } from "../../support/helpers.js";

const CONFIG = yaml`
  services:
    db:
      command: node db.js
    api:
      command: node api.js
      depends_on: [db]
    mailcatcher:
      command: node mail.js
      profiles: [debug]
    tracer:
      command: node tracer.js
      profiles: [debug, tracing]
    seed:
      command: node seed.js
      profiles: [tools]
    admin:
      command: node admin.js
      depends_on: [seed]
      profiles: [admin]
`;

function config() {
  return loadConfig({ cwd: tempProject({ "portmate.yaml": CONFIG }), env: {} }).config;
}

const names = (services: Array<{ name: string }>) => services.map((service) => service.name).sort();

describe("profiles", () => {
  it("leaves a service with profiles out when none of them is active", () => {
    expect(names(selectServices(config()))).toEqual(["api", "db"]);
  });

  it("starts the services of an active profile too, and every one with `*`", () => {
    expect(names(selectServices(config(), [], ["debug"]))).toEqual(["api", "db", "mailcatcher", "tracer"]);
    expect(names(selectServices(config(), [], ["tracing"]))).toEqual(["api", "db", "tracer"]);
    expect(names(selectedServices(config(), { profiles: ["tools"] }))).toEqual(["api", "db", "seed"]);
    expect(names(selectServices(config(), [], ["*"]))).toEqual(["admin", "api", "db", "mailcatcher", "seed", "tracer"]);
  });

  it("starts a service named on the command line whatever its profiles", () => {
    expect(names(selectServices(config(), ["mailcatcher"]))).toEqual(["mailcatcher"]);
  });

  it("starts what a started service depends on, profiled or not", () => {
    expect(names(selectServices(config(), [], ["admin"]))).toEqual(["admin", "api", "db", "seed"]);
    expect(names(selectServices(config(), ["admin"]))).toEqual(["admin", "seed"]);
  });

  it("takes --profile over PORTMATE_PROFILES, which is comma-separated", () => {
    expect(activeProfiles(undefined, { PORTMATE_PROFILES: "debug, tools,," })).toEqual(["debug", "tools"]);
    expect(activeProfiles(["admin"], { PORTMATE_PROFILES: "debug" })).toEqual(["admin"]);
    expect(activeProfiles(undefined, {})).toEqual([]);
  });

  it("warns about a profile no service has, with the likeliest one", () => {
    expect(unknownProfiles(config(), ["debgu", "debug", "*"])).toEqual([
      'no service has the profile "debgu" (did you mean "debug"?): the profiles are debug, tracing, tools, admin',
    ]);
  });
});
