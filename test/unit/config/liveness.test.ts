import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { DEFAULT_LIVENESS } from "../../../src/config/types.js";
import { buildPlan } from "../../../src/plan/build.js";
import { selectServices } from "../../../src/plan/select-services.js";
import { tempProject, yaml } from "../../support/helpers.js";

function load(health: string) {
  const dir = tempProject({
    "portmate.yaml": yaml`
      services:
        api:
          command: node api.js
          health: ${health}
    `,
  });
  return loadConfig({ cwd: dir }).config;
}

describe("health.liveness", () => {
  it.each(["{http: /health}", "{http: /health, liveness: false}", "{}"])("is off unless asked: %s", (health) => {
    expect(load(health).services.get("api")?.health.liveness).toBeUndefined();
  });

  it("`true` takes the defaults: every 10s, 5s each, 3 failures in a row", () => {
    expect(DEFAULT_LIVENESS).toEqual({ intervalMs: 10_000, timeoutMs: 5000, failures: 3 });
    expect(load("{http: /health, liveness: true}").services.get("api")?.health.liveness).toEqual(DEFAULT_LIVENESS);
  });

  it("a map sets any of them, the rest keep their defaults", () => {
    expect(load("{tcp: true, liveness: {interval: 2s, failures: 5}}").services.get("api")?.health.liveness).toEqual({
      intervalMs: 2000,
      timeoutMs: 5000,
      failures: 5,
    });
    expect(load("{command: ./check, liveness: {timeout: 250ms}}").services.get("api")?.health.liveness).toEqual({
      intervalMs: 10_000,
      timeoutMs: 250,
      failures: 3,
    });
  });

  it("repeats the readiness check, which stays as it was", () => {
    const config = load("{http: /health, interval: 200ms, timeout: 7s, liveness: true}");
    expect(config.services.get("api")?.health).toMatchObject({ check: { kind: "http", path: "/health" }, intervalMs: 200, timeoutMs: 7000 });
  });

  it("the service's default `tcp` check can be repeated too", () => {
    const config = load("{liveness: {interval: 1s}}");
    expect(config.services.get("api")?.health).toMatchObject({ check: { kind: "tcp" }, liveness: { intervalMs: 1000 } });
  });

  it("is carried into the plan the supervisor runs", () => {
    const config = load("{http: /health, liveness: {failures: 2}}");
    const plan = buildPlan(config, selectServices(config), 1, new Map([["1/api/default", 8000]]));
    expect(plan.services[0]?.health).toMatchObject({ kind: "http", path: "/health", liveness: { intervalMs: 10_000, timeoutMs: 5000, failures: 2 } });
  });
});
