import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { trustStores } from "../../../src/proxy/tls/trust-stores.js";

let home: string;
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** A profile folder with an NSS database (an empty cert9.db is enough to be found). */
function profile(path: string): string {
  const dir = join(home, path);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cert9.db"), "");
  return dir;
}

describe("trustStores", () => {
  it("finds ~/.pki/nssdb and the Firefox profiles that have an NSS database, snap's too", () => {
    home = mkdtempSync(join(tmpdir(), "portmate-home-"));
    const own = profile(".mozilla/firefox/abc.default-release");
    mkdirSync(join(home, ".mozilla/firefox/Crash Reports"));
    const snap = profile("snap/firefox/common/.mozilla/firefox/xyz.default");
    expect(trustStores(home, { platform: "linux" })).toEqual([
      { kind: "nss", label: "Chromium", path: join(home, ".pki/nssdb"), create: true },
      { kind: "nss", label: "Firefox profile abc.default-release", path: own },
      { kind: "nss", label: "Firefox profile xyz.default", path: snap },
    ]);
  });

  it("is the login keychain on macOS, and only the database --nssdb names when given", () => {
    home = mkdtempSync(join(tmpdir(), "portmate-home-"));
    expect(trustStores(home, { platform: "darwin" })).toEqual([
      { kind: "keychain", label: "macOS login keychain", path: join(home, "Library/Keychains/login.keychain-db") },
    ]);
    expect(trustStores(home, { platform: "linux", nssdb: "/srv/db" })).toEqual([{ kind: "nss", label: "NSS database", path: "/srv/db", create: true }]);
  });
});
