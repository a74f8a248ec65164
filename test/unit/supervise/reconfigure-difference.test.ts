import { describe, expect, it } from "vitest";
import { difference } from "../../../src/supervise/reconfigure.js";
import { plannedService } from "../../support/services.js";

describe("what changed in a service between two configs", () => {
  const base = plannedService({
    id: "api",
    name: "api",
    ports: { default: 8000 },
    port: 8000,
    env: { PORT: "8000", API_URL: "http://127.0.0.1:8000", MODE: "dev" },
  });

  it("is nothing for the same rendering", () => {
    expect(difference(base, { ...base, env: { ...base.env } })).toBeUndefined();
  });

  it("names the port that moved, and not what follows from it", () => {
    const next = { ...base, ports: { default: 8123 }, port: 8123, env: { PORT: "8123", API_URL: "http://127.0.0.1:8123", MODE: "dev" } };
    expect(difference(base, next)).toBe("port 8000 → 8123");
  });

  it("names the variables that changed, at most three, and the settings", () => {
    const next = { ...base, env: { ...base.env, MODE: "prod", A: "1", B: "2", C: "3" }, stopTimeoutMs: base.stopTimeoutMs + 1 };
    expect(difference(base, next)).toBe("env A, B, C, …, stop_timeout");
  });
});
