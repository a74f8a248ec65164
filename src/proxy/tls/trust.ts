import { homedir } from "node:os";
import { PortmateError } from "../../errors.js";
import { keychainTrust, keychainUntrust } from "./keychain-trust.js";
import { nssTrust, nssUntrust } from "./nss-trust.js";
import { runTool, type RunTool } from "./run-tool.js";
import type { NamedCa, TrustedCa, TrustOutcome } from "./trust-outcome.js";
import { trustStores, type TrustStore } from "./trust-stores.js";

/** What `portmate trust` did to one store. */
export interface StoreReport extends TrustStore {
  outcome: TrustOutcome;
  /** Why it failed. */
  error?: string;
}

export interface TrustOptions {
  /** Whose stores: `$HOME`. */
  home?: string;
  /** Only this NSS database (tests, CI, custom setups). */
  nssdb?: string;
  platform?: NodeJS.Platform;
  run?: RunTool;
}

/**
 * Adds the CA to every store browsers read it from (see trustStores), or with `remove` takes it out of them.
 * A store that fails is reported and the others are still done; certutil missing stops it all.
 */
export async function trustLocalCa(
  ca: TrustedCa | NamedCa,
  remove: boolean,
  { home = homedir(), nssdb, platform = process.platform, run = runTool }: TrustOptions = {},
): Promise<StoreReport[]> {
  const reports: StoreReport[] = [];
  for (const store of trustStores(home, { platform, ...(nssdb ? { nssdb } : {}) })) {
    try {
      reports.push({ ...store, outcome: await apply(store, ca, remove, run) });
    } catch (error) {
      if (error instanceof PortmateError) throw error;
      reports.push({ ...store, outcome: "failed", error: (error as Error).message });
    }
  }
  return reports;
}

function apply(store: TrustStore, ca: TrustedCa | NamedCa, remove: boolean, run: RunTool): Promise<TrustOutcome> {
  if (remove) return store.kind === "nss" ? nssUntrust(run, store.path, ca) : keychainUntrust(run, store.path, ca);
  if (!("pem" in ca)) throw new Error("no CA to trust");
  return store.kind === "nss" ? nssTrust(run, store.path, store.create === true, ca) : keychainTrust(run, store.path, ca);
}
