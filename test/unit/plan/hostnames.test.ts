import { describe, expect, it } from "vitest";
import { dnsLabel, namedOrigin, serviceHostname } from "../../../src/plan/hostnames.js";

describe("service names", () => {
  it("are SERVICE.PROJECT.localhost, SERVICE-N for instance N, and carry a second checkout's label", () => {
    expect(serviceHostname("demo", "ui", 1)).toBe("ui.demo.localhost");
    expect(serviceHostname("demo", "ui", 3)).toBe("ui-3.demo.localhost");
    expect(serviceHostname("demo", "ui", 1, "fix-login")).toBe("ui.fix-login.demo.localhost");
    expect(serviceHostname("demo", "ui", 2, "fix-login")).toBe("ui-2.fix-login.demo.localhost");
  });

  it("turn every part into a DNS label: lower case, `_` and the like into `-`, at most 63 characters, never empty", () => {
    expect(serviceHostname("My_Shop", "Admin_UI", 1)).toBe("admin-ui.my-shop.localhost");
    expect(dnsLabel("feature/Login Form!")).toBe("feature-login-form");
    expect(dnsLabel("--x--")).toBe("x");
    expect(dnsLabel("___")).toBe("x");
    expect(dnsLabel("a".repeat(80))).toHaveLength(63);
    expect(dnsLabel(`${"a".repeat(62)}-b`)).toBe("a".repeat(62));
  });

  it("leave out the port when it is the scheme's own", () => {
    expect(namedOrigin("ui.demo.localhost", { port: 1356, https: false })).toBe("http://ui.demo.localhost:1356");
    expect(namedOrigin("ui.demo.localhost", { port: 80, https: false })).toBe("http://ui.demo.localhost");
    expect(namedOrigin("ui.demo.localhost", { port: 443, https: true })).toBe("https://ui.demo.localhost");
    expect(namedOrigin("ui.demo.localhost", { port: 80, https: true })).toBe("https://ui.demo.localhost:80");
  });
});
