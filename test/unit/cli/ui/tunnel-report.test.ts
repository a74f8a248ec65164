import { describe, expect, it } from "vitest";
import { describeTunnelEvent, publicWarning } from "../../../../src/cli/ui/tunnel-report.js";
import type { StackEvent } from "../../../../src/supervise/events.js";

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

  it("warns that a public URL reaches the service for anyone", () => {
    expect(publicWarning("api#2", "https://abc.example")).toBe("api#2 is PUBLIC at https://abc.example: anyone who has this URL reaches it");
  });
});
