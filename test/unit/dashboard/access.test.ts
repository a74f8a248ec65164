import type { IncomingMessage } from "node:http";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempState } from "../../support/temp-state.js";
import { dashboardToken, hasToken, knownHost, sameOrigin } from "../../../src/dashboard/access.js";

/** A request with these headers, as the server gets it. */
const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("the dashboard's access rules", () => {
  it("make one private token per user and keep it", () => {
    const layout = tempState();
    const token = dashboardToken(layout);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(dashboardToken(layout)).toBe(token);
    expect(statSync(join(layout.root, "dashboard-token")).mode & 0o777).toBe(0o600);
    expect(dashboardToken(tempState())).not.toBe(token);
  });

  it("take requests by loopback names and portmate.localhost only (no DNS rebinding)", () => {
    for (const host of ["127.0.0.1:4000", "localhost:4000", "[::1]:4000", "portmate.localhost:1356", "PORTMATE.localhost:1356", "localhost"]) {
      expect(knownHost(req({ host })), host).toBe(true);
    }
    for (const host of ["evil.example:4000", "127.0.0.1.evil.example:4000", "ui.demo.localhost:1356", "[::2]:4000", ""]) {
      expect(knownHost(req({ host })), host).toBe(false);
    }
  });

  it("take actions from the page itself or from a script, not from another site", () => {
    expect(sameOrigin(req({ host: "127.0.0.1:4000", origin: "http://127.0.0.1:4000" }))).toBe(true);
    expect(sameOrigin(req({ host: "portmate.localhost:1356", origin: "http://portmate.localhost:1356" }))).toBe(true);
    expect(sameOrigin(req({ host: "127.0.0.1:4000" }))).toBe(true); // curl
    expect(sameOrigin(req({ host: "127.0.0.1:4000", origin: "http://evil.example" }))).toBe(false);
    expect(sameOrigin(req({ host: "127.0.0.1:4000", origin: "http://127.0.0.1:4001" }))).toBe(false);
    expect(sameOrigin(req({ host: "127.0.0.1:4000", origin: "null" }))).toBe(false);
    // A browser that sends no Origin still says where the request comes from.
    expect(sameOrigin(req({ host: "127.0.0.1:4000", "sec-fetch-site": "cross-site" }))).toBe(false);
  });

  it("check the token in full", () => {
    const token = "a".repeat(64);
    expect(hasToken(req({ "x-portmate-token": token }), token)).toBe(true);
    expect(hasToken(req({ "x-portmate-token": "a".repeat(63) }), token)).toBe(false);
    expect(hasToken(req({ "x-portmate-token": `${"a".repeat(63)}b` }), token)).toBe(false);
    expect(hasToken(req({}), token)).toBe(false);
  });
});
