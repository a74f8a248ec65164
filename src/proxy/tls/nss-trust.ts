import { existsSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, PortmateError } from "../../errors.js";
import { ensurePrivateDir } from "../../state/paths.js";
import type { RunTool } from "./run-tool.js";
import type { NamedCa, TrustedCa, TrustOutcome } from "./trust-outcome.js";

/** certutil, from NSS's tools; a clear error when it is not installed. */
async function certutil(run: RunTool, args: readonly string[]) {
  try {
    return await run("certutil", args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new PortmateError(
      "certutil is not installed: `portmate trust` needs it to write the NSS databases Chromium and Firefox read",
      ExitCode.serviceFailed,
      ["hint: install libnss3-tools (Debian/Ubuntu) or nss-tools (Fedora)"],
    );
  }
}

const base64Of = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, "");

function failed(action: string, result: { code: number; stderr: string; stdout: string }): never {
  throw new Error(`certutil ${action} exited with ${result.code}: ${(result.stderr || result.stdout).trim()}`);
}

/** The certificates (PEM) the database has under the nickname: several when older CAs were added under it. */
async function listed(run: RunTool, db: string, nickname: string): Promise<string[]> {
  const result = await certutil(run, ["-d", db, "-L", "-n", nickname, "-a"]);
  return result.code === 0 ? (result.stdout.match(/-----BEGIN CERTIFICATE-----[^]*?-----END CERTIFICATE-----/g) ?? []) : [];
}

async function removeAll(run: RunTool, db: string, nickname: string): Promise<number> {
  let removed = 0;
  // certutil deletes one certificate of a nickname at a time; ten bounds a database that refuses to.
  while (removed < 10 && (await listed(run, db, nickname)).length) {
    const result = await certutil(run, ["-d", db, "-D", "-n", nickname]);
    if (result.code !== 0) failed("-D", result);
    removed++;
  }
  return removed;
}

/** Adds the CA to an NSS database as trusted for TLS servers ("C,,"), replacing older ones of the same name. */
export async function nssTrust(run: RunTool, dir: string, create: boolean, ca: TrustedCa): Promise<TrustOutcome> {
  const db = `sql:${dir}`;
  if (!existsSync(join(dir, "cert9.db"))) {
    if (!create) return "absent";
    ensurePrivateDir(dir);
    const made = await certutil(run, ["-d", db, "-N", "--empty-password"]);
    if (made.code !== 0) failed("-N", made);
  }
  const present = await listed(run, db, ca.nickname);
  if (present.length === 1 && base64Of(present[0] ?? "") === base64Of(ca.pem)) return "already";
  const replaced = await removeAll(run, db, ca.nickname);
  const added = await certutil(run, ["-d", db, "-A", "-t", "C,,", "-n", ca.nickname, "-i", ca.file]);
  if (added.code !== 0) failed("-A", added);
  return replaced ? "replaced" : "added";
}

/** Removes every certificate of the CA's nickname from an NSS database. */
export async function nssUntrust(run: RunTool, dir: string, ca: NamedCa): Promise<TrustOutcome> {
  if (!existsSync(join(dir, "cert9.db"))) return "absent";
  return (await removeAll(run, `sql:${dir}`, ca.nickname)) ? "removed" : "absent";
}
