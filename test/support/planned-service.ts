import type { PlannedService } from "../../src/plan/types.js";

/** A planned service with every field filled in, for unit tests that need one without loading a config. */
export function plannedService(overrides: Partial<PlannedService> = {}): PlannedService {
  return {
    id: "api",
    name: "api",
    instance: 1,
    command: { shell: false, file: "node", args: ["server.js"] },
    cwd: "/",
    env: {},
    ports: {},
    announce: false,
    dependsOn: [],
    waitsForAnnounced: [],
    health: { kind: "none", intervalMs: 500, timeoutMs: 30_000 },
    restart: { policy: "no", maxRestarts: 10, delayMs: 1000, maxDelayMs: 30_000 },
    stopSignal: "SIGTERM",
    stopTimeoutMs: 10_000,
    ...overrides,
  };
}
