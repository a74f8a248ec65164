import type { PlannedService } from "../../src/plan/types.js";
import type { ServiceInfo } from "../../src/stack/stack.js";

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

/** A running service as a stack shows it (healthy, pid 4242, port 8000), with `fields` changed. */
export function serviceInfo(id: string, fields: Partial<ServiceInfo> = {}): ServiceInfo {
  return {
    name: id,
    instance: 1,
    id,
    port: 8000,
    ports: { default: 8000 },
    url: "http://127.0.0.1:8000",
    pid: 4242,
    status: "healthy",
    startedAt: undefined,
    exitCode: undefined,
    restarts: 0,
    publicUrl: undefined,
    ...fields,
  };
}
