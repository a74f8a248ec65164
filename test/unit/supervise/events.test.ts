import { describe, expect, it } from "vitest";
import { describeExit, describePortEvent, type StackEvent } from "../../../src/supervise/events.js";

type PortEvent = Extract<StackEvent, { type: "port" }>;
const port = (fields: Partial<PortEvent>): PortEvent => ({
  type: "port",
  service: "ui",
  name: "default",
  port: 8007,
  reason: "stolen",
  restarting: [],
  ...fields,
});

describe("port changes as one line", () => {
  it("says who took a stolen port, and what is restarted to follow it", () => {
    expect(describePortEvent(port({ previous: 8001, holder: "pid 42 (python3 -m http.server)", restarting: ["web", "admin"] }))).toBe(
      "port 8001 was taken by pid 42 (python3 -m http.server) as it started; moved to 8007; restarting web, admin so they use it",
    );
    expect(describePortEvent(port({ previous: 8001 }))).toBe("port 8001 was taken by another process as it started; moved to 8007");
  });

  it("names a named port, and tells an announced port with what it was and who had reserved it", () => {
    expect(describePortEvent(port({ name: "metrics", previous: 9100, reason: "restart" }))).toBe("port metrics moved from 9100 to 8007");
    expect(describePortEvent(port({ reason: "announced" }))).toBe("announced port 8007");
    expect(describePortEvent(port({ reason: "announced", previous: 8001, holder: "another portmate stack", restarting: ["web"] }))).toBe(
      "announced port 8007 (was 8001) (another portmate stack had reserved it); restarting web so they use it",
    );
  });
});

describe("exits in messages", () => {
  it("gives the code, or the signal that ended it", () => {
    expect(describeExit({ code: 3, signal: null })).toBe("exited with code 3");
    expect(describeExit({ code: null, signal: "SIGTERM" })).toBe("was killed by SIGTERM");
    expect(describeExit({ code: null, signal: null })).toBe("exited with code ?");
  });
});
