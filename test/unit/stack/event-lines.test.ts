import { describe, expect, it } from "vitest";
import { describeExitEvent, describeStackEvent, describeTunnelEvent } from "../../../src/stack/event-lines.js";
import type { ServiceInfo } from "../../../src/stack/stack.js";
import type { StackEvent } from "../../../src/supervise/events.js";
import { serviceInfo } from "../../support/services.js";

/** A service on `ports`, its URL that of the first. */
function info(id: string, ports: Record<string, number>): ServiceInfo {
  const port = Object.values(ports)[0];
  return serviceInfo(id, { port, ports, url: port === undefined ? undefined : `http://127.0.0.1:${port}` });
}

const SERVICES = new Map([
  ["backend", info("backend", { default: 8004 })],
  ["admin", info("admin", { http: 8002, metrics: 8003 })],
  ["migrate", info("migrate", {})],
]);
const lookup = (id: string) => SERVICES.get(id);
const line = (event: StackEvent) => describeStackEvent(event, lookup);

type Exited = Extract<StackEvent, { type: "exited" }>;
const exited = (fields: Partial<Exited> = {}): Exited => ({
  type: "exited",
  service: "backend",
  status: { code: 1, signal: null },
  requested: false,
  expected: false,
  ...fields,
});

describe("portmate's own lines about a running stack", () => {
  it("says where a restarted service runs now", () => {
    expect(line({ type: "spawned", service: "backend", pid: 4321 })).toBe("backend restarted on port 8004 (pid 4321)");
    expect(line({ type: "spawned", service: "admin", pid: 7 })).toBe("admin restarted on port 8002 (http), 8003 (metrics) (pid 7)");
    expect(line({ type: "spawned", service: "migrate", pid: 8 })).toBe("migrate restarted (pid 8)");
    expect(line({ type: "spawned", service: "gone", pid: 9 })).toBe("gone restarted (pid 9)");
  });

  it("tells an exit with what happens next, but not one portmate asked for", () => {
    expect(line(exited({ restartInMs: 2000 }))).toBe("backend exited with code 1; restarting in 2.0s");
    expect(line(exited({ status: { code: null, signal: "SIGKILL" }, gaveUpAfter: 5 }))).toBe(
      "backend was killed by SIGKILL; not restarted again after 5 restarts in a row",
    );
    expect(line(exited())).toBe("backend exited with code 1");
    expect(line(exited({ requested: true, expected: true }))).toBeUndefined();
    expect(describeExitEvent(exited({ status: { code: 0, signal: null } }))).toBe("exited with code 0");
  });

  it("tells health, port moves, tunnels and stops", () => {
    expect(line({ type: "healthy", service: "backend", pid: 1, afterMs: 1234 })).toBe("backend is healthy again (ready in 1.2s)");
    expect(line({ type: "unhealthy", service: "backend", reason: "GET /health → 500" })).toBe("backend is unhealthy: GET /health → 500");
    expect(line({ type: "port", service: "backend", name: "default", port: 8007, previous: 8004, reason: "restart", restarting: ["ui"] })).toBe(
      "backend: port moved from 8004 to 8007; restarting ui so they use it",
    );
    expect(line({ type: "tunnel", service: "backend", state: "dropped", reason: "ssh exited" })).toBe("backend: tunnel dropped (ssh exited); opening it again");
    expect(line({ type: "tunnel", service: "backend", state: "opening" })).toBeUndefined();
    expect(line({ type: "stopped", service: "backend", forced: true, survivors: [] })).toBe("backend did not stop in time: killed");
    expect(line({ type: "stopped", service: "backend", forced: true, survivors: [11, 12] })).toBe("backend could not be killed: pids 11, 12 remain");
    expect(line({ type: "stopped", service: "backend", forced: false, survivors: [] })).toBeUndefined();
  });

  it("says nothing of output, health checks and stops under way", () => {
    expect(line({ type: "output", service: "backend", stream: "stdout", line: "hello" })).toBeUndefined();
    expect(line({ type: "checking", service: "backend", check: "GET /health → 404" })).toBeUndefined();
    expect(line({ type: "stopping", service: "backend" })).toBeUndefined();
  });
});

type TunnelEvent = Extract<StackEvent, { type: "tunnel" }>;
const tunnel = (fields: Partial<TunnelEvent>): TunnelEvent => ({ type: "tunnel", service: "api", state: "open", ...fields });

describe("tunnel lines", () => {
  it("tells a tunnel that dropped, failed or is open again", () => {
    expect(describeTunnelEvent(tunnel({ state: "open", url: "https://abc.example" }))).toBe("tunnel open again: https://abc.example is public");
    expect(describeTunnelEvent(tunnel({ state: "dropped", reason: "ssh exited with code 255" }))).toBe(
      "tunnel dropped (ssh exited with code 255); opening it again",
    );
    expect(describeTunnelEvent(tunnel({ state: "failed", reason: "no URL within 30s", retrying: true }))).toBe(
      "tunnel failed: no URL within 30s; trying again",
    );
    expect(describeTunnelEvent(tunnel({ state: "failed", reason: "no URL within 30s" }))).toBe("tunnel failed: no URL within 30s");
  });

  it("says nothing while a tunnel opens or once it is closed", () => {
    expect(describeTunnelEvent(tunnel({ state: "opening" }))).toBeUndefined();
    expect(describeTunnelEvent(tunnel({ state: "closed" }))).toBeUndefined();
  });
});
