import type { RunTool } from "./run-tool.js";
import type { NamedCa, TrustedCa, TrustOutcome } from "./trust-outcome.js";

// macOS: the login keychain holds the certificate, and the user's trust settings make it a root for TLS.
// `security` asks for the user's password in a dialog. Written from Apple's security(1); not run by the tests,
// which run on Linux.

async function hashesIn(run: RunTool, keychain: string, nickname: string): Promise<string[]> {
  const found = await run("security", ["find-certificate", "-a", "-Z", "-c", nickname, keychain]);
  return found.code === 0 ? [...found.stdout.matchAll(/SHA-1 hash: ([0-9A-F]{40})/gi)].map((match) => (match[1] as string).toUpperCase()) : [];
}

function failed(action: string, result: { code: number; stderr: string }): never {
  throw new Error(`security ${action} exited with ${result.code}: ${result.stderr.trim()}`);
}

/** Adds the CA to the keychain, trusted as a root by the user. */
export async function keychainTrust(run: RunTool, keychain: string, ca: TrustedCa): Promise<TrustOutcome> {
  if ((await hashesIn(run, keychain, ca.nickname)).includes(ca.sha1.toUpperCase())) {
    const verified = await run("security", ["verify-cert", "-c", ca.file, "-p", "ssl"]);
    if (verified.code === 0) return "already";
  }
  const added = await run("security", ["add-trusted-cert", "-r", "trustRoot", "-p", "ssl", "-k", keychain, ca.file]);
  if (added.code !== 0) failed("add-trusted-cert", added);
  return "added";
}

/** Removes the user's trust in the CA and every certificate of its name from the keychain. */
export async function keychainUntrust(run: RunTool, keychain: string, ca: NamedCa): Promise<TrustOutcome> {
  if (ca.file) await run("security", ["remove-trusted-cert", ca.file]);
  const hashes = await hashesIn(run, keychain, ca.nickname);
  for (const hash of hashes) {
    const deleted = await run("security", ["delete-certificate", "-Z", hash, keychain]);
    if (deleted.code !== 0) failed("delete-certificate", deleted);
  }
  return hashes.length ? "removed" : "absent";
}
