import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A place a browser reads trusted CAs from. */
export interface TrustStore {
  /** An NSS database (Chromium and Firefox on Linux) or a macOS keychain. */
  kind: "nss" | "keychain";
  /** What reads it, as the user knows it: `Chromium`, `Firefox profile abc.default`. */
  label: string;
  path: string;
  /** Made when missing: the user's shared NSS database, which Chromium makes on its first run anyway. */
  create?: boolean;
}

/** Where Firefox keeps its profiles: its own install, the snap, the flatpak. */
const FIREFOX_ROOTS = [".mozilla/firefox", "snap/firefox/common/.mozilla/firefox", ".var/app/org.mozilla.firefox/.mozilla/firefox"];

function firefoxProfiles(home: string): TrustStore[] {
  return FIREFOX_ROOTS.flatMap((root) => {
    let entries: string[];
    try {
      entries = readdirSync(join(home, root)).sort();
    } catch {
      return [];
    }
    return entries
      .filter((entry) => existsSync(join(home, root, entry, "cert9.db")))
      .map((entry) => ({ kind: "nss" as const, label: `Firefox profile ${entry}`, path: join(home, root, entry) }));
  });
}

/**
 * The stores `portmate trust` writes to: on macOS the login keychain; elsewhere the user's NSS database
 * (`~/.pki/nssdb`, read by Chromium and Chrome) and each Firefox profile that has one. `nssdb`, when given,
 * is the only store.
 */
export function trustStores(home: string, { platform = process.platform, nssdb }: { platform?: NodeJS.Platform; nssdb?: string } = {}): TrustStore[] {
  if (nssdb) return [{ kind: "nss", label: "NSS database", path: nssdb, create: true }];
  if (platform === "darwin") return [{ kind: "keychain", label: "macOS login keychain", path: join(home, "Library", "Keychains", "login.keychain-db") }];
  return [{ kind: "nss", label: "Chromium", path: join(home, ".pki", "nssdb"), create: true }, ...firefoxProfiles(home)];
}
