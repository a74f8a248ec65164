import { createPrivateKey, X509Certificate } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempState } from "../../support/temp-state.js";
import { caDir, loadLocalCa } from "../../../src/proxy/tls/local-ca.js";
import { LeafStore } from "../../../src/proxy/tls/leaf-store.js";
import { localhostName } from "../../../src/proxy/tls/host-name.js";

const mode = (path: string) => statSync(path).mode & 0o777;
const DAY = 24 * 60 * 60 * 1000;

describe("leaves", () => {
  it("are signed by the CA for the exact name, for at most 397 days, for TLS servers", () => {
    const layout = tempState();
    const ca = loadLocalCa(layout);
    const leaf = new LeafStore(ca, join(caDir(layout), "leaves")).get("ui.demo.localhost");
    const cert = new X509Certificate(leaf.cert);
    expect(cert.checkIssued(ca.cert)).toBe(true);
    expect(cert.verify(ca.cert.publicKey)).toBe(true);
    expect(cert.checkHost("ui.demo.localhost")).toBe("ui.demo.localhost");
    expect(cert.checkHost("other.demo.localhost")).toBeUndefined();
    expect(cert.subjectAltName).toBe("DNS:ui.demo.localhost");
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBeLessThanOrEqual(397 * DAY);
    expect(cert.checkPrivateKey(createPrivateKey(leaf.key))).toBe(true);
  });

  it("are kept in memory and on disk (0600), and read back by another store", () => {
    const layout = tempState();
    const ca = loadLocalCa(layout);
    const dir = join(caDir(layout), "leaves");
    const store = new LeafStore(ca, dir);
    const first = store.get("ui-2.fix.demo.localhost");
    expect(store.get("ui-2.fix.demo.localhost")).toBe(first);
    expect(mode(join(dir, "ui-2.fix.demo.localhost.pem"))).toBe(0o600);
    expect(new LeafStore(ca, dir).get("ui-2.fix.demo.localhost").cert).toBe(first.cert);
  });

  it("are made anew near their end, and when another CA signed the one on disk", () => {
    const layout = tempState();
    const ca = loadLocalCa(layout);
    const dir = join(caDir(layout), "leaves");
    const first = new LeafStore(ca, dir).get("ui.demo.localhost");
    const later = new LeafStore(ca, dir, () => new Date(Date.now() + 380 * DAY)).get("ui.demo.localhost");
    expect(later.cert).not.toBe(first.cert);
    const otherCa = loadLocalCa(tempState());
    const resigned = new LeafStore(otherCa, dir).get("ui.demo.localhost");
    expect(resigned.x509.checkIssued(otherCa.cert)).toBe(true);
  });
});

describe("localhostName", () => {
  it.each([
    ["ui.demo.localhost", "ui.demo.localhost"],
    ["UI-2.Fix.Demo.LOCALHOST.", "ui-2.fix.demo.localhost"],
    ["localhost", "localhost"],
    ["example.com", undefined],
    ["*.localhost", undefined],
    ["../x.localhost", undefined],
    ["-ui.localhost", undefined],
    ["127.0.0.1", undefined],
    [`${"a".repeat(64)}.localhost`, undefined],
  ])("%s → %s", (name, expected) => {
    expect(localhostName(name)).toBe(expected);
  });
});
