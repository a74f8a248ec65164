import { describe, expect, it } from "vitest";
import { StartBoard } from "../../../../src/cli/ui/start-board.js";
import type { StackEvent } from "../../../../src/supervise/events.js";
import { plannedService } from "../../../support/services.js";

/** backend (checked over HTTP), ui after it, admin after ui, and a one-off migrate task. */
function board() {
  let now = 0;
  const services = [
    plannedService({
      id: "backend",
      name: "backend",
      ports: { default: 8000 },
      port: 8000,
      url: "http://127.0.0.1:8000",
      health: { kind: "http", port: 8000, path: "/health", hosts: ["127.0.0.1"], intervalMs: 500, timeoutMs: 30_000 },
    }),
    plannedService({ id: "ui", name: "ui", ports: { default: 8001 }, port: 8001, dependsOn: [{ id: "backend", condition: "healthy" }] }),
    plannedService({ id: "admin", name: "admin", ports: { http: 8002, metrics: 8003 }, port: 8002, dependsOn: [{ id: "ui", condition: "started" }] }),
    plannedService({ id: "migrate", name: "migrate" }),
  ];
  const start = new StartBoard(services, () => now);
  return {
    board: start,
    at: (ms: number) => void (now = ms),
    apply: (event: StackEvent) => start.apply(event),
    text: (id: string) => start.line(id).text,
  };
}

describe("the start board", () => {
  it("shows what each service waits for, and for how long once it is a while", () => {
    const { board: start, at, text } = board();
    expect(start.ids).toEqual(["backend", "ui", "admin", "migrate"]);
    expect(start.lines().map((line) => [line.state, line.text])).toEqual([
      ["waiting", "backend: about to start"],
      ["waiting", "ui: waiting for backend (healthy)"],
      ["waiting", "admin: waiting for ui (started)"],
      ["waiting", "migrate: about to start"],
    ]);
    at(2500);
    expect(text("ui")).toBe("ui: waiting for backend (healthy) · 2s");
  });

  it("shows pid and ports while a service starts, then what its health check gets, of how long it may take", () => {
    const { at, apply, text, board: start } = board();
    at(1000);
    expect(apply({ type: "spawned", service: "backend", pid: 10 })).toBe(true);
    expect(start.line("backend").state).toBe("running");
    expect(text("backend")).toBe("backend: starting (pid 10, port 8000)");
    apply({ type: "checking", service: "backend", check: "GET /health → 404" });
    at(1500);
    expect(text("backend")).toBe("backend: starting (pid 10, port 8000)");
    at(5200);
    expect(text("backend")).toBe("backend: GET /health → 404 (4s of 30s)");
    apply({ type: "spawned", service: "admin", pid: 12 });
    expect(text("admin")).toBe("admin: starting (pid 12, port 8002 (http), 8003 (metrics))");
  });

  it("settles a ready service with its time and URL, and meets what waited for it", () => {
    const { apply, text, board: start } = board();
    apply({ type: "spawned", service: "backend", pid: 10 });
    apply({ type: "healthy", service: "backend", pid: 10, afterMs: 3200 });
    expect(start.line("backend")).toEqual({ id: "backend", state: "ready", text: "backend: ready in 3.2s · http://127.0.0.1:8000" });
    expect(start.settled("backend")).toBe(true);
    expect(text("ui")).toBe("ui: about to start");
    // Once settled, what follows changes nothing.
    expect(apply({ type: "checking", service: "backend", check: "GET /health → 500" })).toBe(false);
    expect(text("backend")).toBe("backend: ready in 3.2s · http://127.0.0.1:8000");
  });

  it("shows a one-off task as completed, with how it exited", () => {
    const { apply, text } = board();
    apply({ type: "spawned", service: "migrate", pid: 11 });
    expect(apply({ type: "exited", service: "migrate", status: { code: 0, signal: null }, requested: false, expected: true })).toBe(false);
    apply({ type: "healthy", service: "migrate", pid: 11, afterMs: 120 });
    expect(text("migrate")).toBe("migrate: completed in 120ms (exited with code 0)");
  });

  it("follows a port that moved, and starts a ready service again when it is moved off a stolen port", () => {
    const { apply, text, board: start } = board();
    expect(apply({ type: "port", service: "ui", name: "default", port: 8007, previous: 8001, reason: "stolen", restarting: [] })).toBe(true);
    apply({ type: "spawned", service: "ui", pid: 20 });
    expect(text("ui")).toBe("ui: starting (pid 20, port 8007)");
    apply({ type: "healthy", service: "ui", pid: 20, afterMs: 500 });
    expect(start.line("ui").state).toBe("ready");
    expect(apply({ type: "port", service: "ui", name: "default", port: 8009, previous: 8007, reason: "stolen", restarting: [] })).toBe(false);
    expect(apply({ type: "spawned", service: "ui", pid: 21 })).toBe(true);
    expect(text("ui")).toBe("ui: starting (pid 21, port 8009)");
  });

  it("says a service failed, and that what depends on it was not started because of it", () => {
    const { apply, board: start, text } = board();
    apply({ type: "spawned", service: "ui", pid: 20 });
    apply({ type: "failed", service: "ui", reason: "exited with code 1 before it was healthy" });
    expect(start.line("ui")).toEqual({ id: "ui", state: "failed", text: "ui: exited with code 1 before it was healthy" });
    apply({ type: "skipped", service: "admin", reason: "the start failed" });
    expect(start.line("admin")).toEqual({ id: "admin", state: "skipped", text: "admin: not started: ui failed" });
    apply({ type: "skipped", service: "migrate", reason: "stopped" });
    expect(text("migrate")).toBe("migrate: not started (stopped)");
  });

  it("settles the rest when the start is stopped or fails, each by where it was", () => {
    const stopped = board();
    stopped.apply({ type: "spawned", service: "backend", pid: 10 });
    stopped.board.finish("stopped");
    expect(stopped.board.allSettled).toBe(true);
    expect(stopped.text("backend")).toBe("backend: stopped while starting");
    expect(stopped.text("ui")).toBe("ui: not started (stopped)");

    const failed = board();
    failed.apply({ type: "spawned", service: "backend", pid: 10 });
    expect(failed.board.allSettled).toBe(false);
    failed.board.finish("failed");
    expect(failed.text("backend")).toBe("backend: stopped, as the start failed");
    expect(failed.text("ui")).toBe("ui: not started");
  });

  it("ignores events of services it does not show", () => {
    const { apply, board: start } = board();
    expect(apply({ type: "spawned", service: "elsewhere", pid: 1 })).toBe(false);
    expect(start.line("elsewhere")).toEqual({ id: "elsewhere", state: "skipped", text: "elsewhere" });
    expect(start.settled("elsewhere")).toBe(true);
  });
});
