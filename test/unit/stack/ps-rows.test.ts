import { describe, expect, it } from "vitest";
import { psRows } from "../../../src/stack/ps-rows.js";
import type { RecordedStack } from "../../../src/state/recorded-stacks.js";
import type { ServiceRecord, StackRecord } from "../../../src/state/registry.js";

const NOW = Date.parse("2026-01-01T12:00:00.000Z");
const TEN_SECONDS_AGO = "2026-01-01T11:59:50.000Z";

function service(name: string, fields: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    name,
    id: name,
    pid: 100,
    startTime: 0,
    ports: { default: 8000 },
    port: 8000,
    url: "http://127.0.0.1:8000",
    status: "healthy",
    exitCode: null,
    restarts: 0,
    log: `/logs/${name}.log`,
    startedAt: TEN_SECONDS_AGO,
    stopSignal: "SIGTERM",
    stopTimeoutMs: 10_000,
    ...fields,
  };
}

function stack(services: ServiceRecord[], { alive = true, project = "shop", instance = 1 } = {}): RecordedStack {
  const record: StackRecord = {
    version: 1,
    project,
    instance,
    configFile: "/shop/portmate.yaml",
    mode: "detached",
    supervisor: { pid: 50, startTime: 1, control: "/state/shop.sock" },
    startedAt: TEN_SECONDS_AGO,
    services,
  };
  return { record, alive };
}

/** The status and uptime of each row, by id. */
function statuses(stacks: RecordedStack[]) {
  return psRows(stacks, NOW).map((row) => [row.id, row.status, row.uptimeMs]);
}

describe("ps rows", () => {
  it("gives a running service its status and uptime, and the record's pid, ports and URLs", () => {
    const [row] = psRows([stack([service("backend", { publicUrl: "https://abc.example" })])], NOW);
    expect(row).toEqual({
      project: "shop",
      instance: 1,
      service: "backend",
      id: "backend",
      pid: 100,
      port: 8000,
      ports: { default: 8000 },
      status: "healthy",
      url: "http://127.0.0.1:8000",
      namedUrl: null,
      publicUrl: "https://abc.example",
      startedAt: TEN_SECONDS_AGO,
      uptimeMs: 10_000,
    });
  });

  it("says what each status means to a person, with an uptime only while the process runs", () => {
    const rows = statuses([
      stack([
        service("pending", { status: "pending", pid: null, startedAt: null }),
        service("starting", { status: "starting" }),
        service("unhealthy", { status: "unhealthy" }),
        service("restarting", { status: "restarting" }),
        service("stopping", { status: "stopping" }),
        service("crashed", { status: "exited", exitCode: 1 }),
        service("failed", { status: "failed", exitCode: 3 }),
        service("killed", { status: "exited", exitCode: null }),
        service("skipped", { status: "skipped", pid: null, startedAt: null }),
      ]),
    ]);
    expect(rows).toEqual([
      ["pending", "starting", null],
      ["starting", "starting", 10_000],
      ["unhealthy", "unhealthy", 10_000],
      ["restarting", "restarting", null],
      ["stopping", "stopping", 10_000],
      ["crashed", "exited (1)", null],
      ["failed", "exited (3)", null],
      ["killed", "exited", null],
      ["skipped", "not started", null],
    ]);
  });

  it("marks every service of a stack whose supervisor died as stale, with no uptime and no public URL", () => {
    const rows = psRows(
      [stack([service("backend", { publicUrl: "https://abc.example" }), service("ui", { status: "exited", exitCode: 1 })], { alive: false })],
      NOW,
    );
    expect(rows.map((row) => [row.id, row.status, row.uptimeMs, row.publicUrl, row.pid])).toEqual([
      ["backend", "stale", null, null, 100],
      ["ui", "stale", null, null, 100],
    ]);
  });

  it("lists the services of every stack in order, and reads a record of an older version without publicUrl", () => {
    const rows = psRows(
      [
        stack([service("backend"), service("ui")]),
        stack([service("backend", { id: "backend#2", port: null, ports: {}, url: null })], { instance: 2 }),
        stack([service("api")], { project: "blog" }),
      ],
      NOW,
    );
    expect(rows.map((row) => [row.project, row.instance, row.service, row.id])).toEqual([
      ["shop", 1, "backend", "backend"],
      ["shop", 1, "ui", "ui"],
      ["shop", 2, "backend", "backend#2"],
      ["blog", 1, "api", "api"],
    ]);
    expect(rows[2]).toMatchObject({ port: null, ports: {}, url: null, publicUrl: null });
  });
});
