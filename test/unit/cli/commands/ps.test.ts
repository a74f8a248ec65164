import { describe, expect, it } from "vitest";
import { psTable } from "../../../../src/cli/commands/ps.js";
import type { PsRow } from "../../../../src/stack/ps-rows.js";

function row(id: string, fields: Partial<PsRow> = {}): PsRow {
  return {
    project: "shop",
    instance: 1,
    service: id,
    id,
    pid: 4242,
    port: 8000,
    ports: { default: 8000 },
    status: "healthy",
    url: "http://127.0.0.1:8000",
    namedUrl: null,
    publicUrl: null,
    startedAt: "2026-01-01T11:59:50.000Z",
    uptimeMs: 125_000,
    ...fields,
  };
}

describe("the ps table", () => {
  it("shows uptime for people, and a dash where there is no pid, port, uptime or URL", () => {
    const table = psTable([
      row("backend"),
      row("admin", { pid: 17, ports: { http: 8002, metrics: 8003 }, port: 8002, url: "http://127.0.0.1:8002", uptimeMs: 850 }),
      row("migrate", { pid: null, port: null, ports: {}, status: "exited (1)", url: null, uptimeMs: null }),
    ]);
    expect(table.split("\n")).toEqual([
      "PROJECT  INSTANCE  SERVICE  PID   PORT                         STATUS      UPTIME  URL",
      "shop     1         backend  4242  8000                         healthy     2m 5s   http://127.0.0.1:8000",
      "shop     1         admin    17    8002 (http), 8003 (metrics)  healthy     850ms   http://127.0.0.1:8002",
      "shop     1         migrate  -     -                            exited (1)  -       -",
    ]);
  });

  it("has a PUBLIC URL column only when a tunnel is open", () => {
    const table = psTable([row("backend", { publicUrl: "https://abc.example" }), row("ui", { status: "stale", uptimeMs: null })]);
    const [header, backend, ui] = table.split("\n");
    expect(header).toMatch(/ URL +PUBLIC URL$/);
    expect(backend).toMatch(/http:\/\/127\.0\.0\.1:8000 +https:\/\/abc\.example$/);
    expect(ui).toMatch(/ stale +- +http:\/\/127\.0\.0\.1:8000 +-$/);
  });
});
