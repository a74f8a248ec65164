import { describe, expect, it } from "vitest";
import { oneOffSetting } from "../../../src/stack/one-off-setting.js";
import type { ServiceRecord, StackRecord } from "../../../src/state/registry.js";

function service(name: string, port: number | null, fields: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    name,
    id: name,
    pid: 100,
    startTime: 0,
    ports: port === null ? {} : { default: port },
    port,
    url: port === null ? null : `http://127.0.0.1:${port}`,
    status: "healthy",
    exitCode: null,
    restarts: 0,
    log: `/logs/${name}.log`,
    startedAt: null,
    stopSignal: "SIGTERM",
    stopTimeoutMs: 10_000,
    ...fields,
  };
}

const WORKER = service("worker", 8001, { env: { PORT: "8001", GREETING: "hi", BACKEND_PORT: "8000" }, cwd: "/shop/worker" });
const RECORD: StackRecord = {
  version: 1,
  project: "shop",
  instance: 2,
  configFile: "/shop/portmate.yaml",
  mode: "detached",
  supervisor: { pid: 50, startTime: 1, control: "/state/shop.sock" },
  startedAt: "2026-01-01T12:00:00.000Z",
  services: [service("backend", 8000), WORKER, service("queue", null)],
};
const CALLER = { env: { HOME: "/home/me", BACKEND_PORT: "9999", GREETING: "caller's", UNSET: undefined }, cwd: "/somewhere" };

describe("oneOffSetting", () => {
  it("without a service: the caller's folder and env, with where every service is on top", () => {
    expect(oneOffSetting(RECORD, undefined, CALLER)).toEqual({
      cwd: "/somewhere",
      env: {
        HOME: "/home/me",
        GREETING: "caller's",
        PORTMATE_PROJECT: "shop",
        PORTMATE_INSTANCE: "2",
        BACKEND_PORT: "8000",
        BACKEND_URL: "http://127.0.0.1:8000",
        WORKER_PORT: "8001",
        WORKER_URL: "http://127.0.0.1:8001",
      },
    });
  });

  it("with a service: its folder, and what portmate gave it over the caller's env", () => {
    expect(oneOffSetting(RECORD, WORKER, CALLER)).toEqual({
      cwd: "/shop/worker",
      env: { HOME: "/home/me", PORT: "8001", GREETING: "hi", BACKEND_PORT: "8000" },
    });
  });

  it("reads a record of an older version: no folder (the config file's), no variables (the stack's and its PORT)", () => {
    const old = service("backend", 8000);
    expect(oneOffSetting({ ...RECORD, services: [old] }, old, { env: {}, cwd: "/somewhere" })).toEqual({
      cwd: "/shop",
      env: { PORTMATE_PROJECT: "shop", PORTMATE_INSTANCE: "2", BACKEND_PORT: "8000", BACKEND_URL: "http://127.0.0.1:8000", PORT: "8000" },
    });
  });
});
