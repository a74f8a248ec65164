import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempState } from "../../support/temp-state.js";
import { caDir, loadLocalCa } from "../../../src/proxy/tls/local-ca.js";

const mode = (path: string) => statSync(path).mode & 0o777;
const DAY = 24 * 60 * 60 * 1000;

describe("the local CA", () => {
  it("is made once, private to the user, and the same one when loaded again", () => {
    const layout = tempState();
    const first = loadLocalCa(layout);
    const again = loadLocalCa(layout);
    expect(again.certPem).toBe(first.certPem);
    expect(mode(caDir(layout))).toBe(0o700);
    expect(mode(join(caDir(layout), "key.pem"))).toBe(0o600);
    expect(mode(first.certFile)).toBe(0o600);
    expect(readFileSync(first.certFile, "utf8")).toBe(first.certPem);
  });

  it("is a CA for ten years, limited to names under localhost and loopback addresses", () => {
    const ca = loadLocalCa(tempState());
    expect(ca.cert.ca).toBe(true);
    expect(ca.cert.subject).toMatch(/^O=portmate\nCN=portmate local CA \(.+@.+\)$/);
    expect(ca.cert.keyUsage).toBeUndefined(); // Node lists extended key usages only; the CA has none.
    const years = (Date.parse(ca.cert.validTo) - Date.now()) / (365 * DAY);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
    expect(ca.cert.checkIssued(ca.cert) && ca.cert.verify(ca.cert.publicKey)).toBe(true);
    expect(ca.cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
  });

  it("says what to do when its files are broken, instead of making a new one silently", () => {
    const layout = tempState();
    loadLocalCa(layout);
    writeFileSync(join(caDir(layout), "key.pem"), "not a key", { mode: 0o600 });
    expect(() => loadLocalCa(layout)).toThrow(/local certificate authority in .* cannot be used/);
  });
});
