import { createSecureContext, type SecureContext } from "node:tls";
import { join } from "node:path";
import type { StateLayout } from "../../state/paths.js";
import { localhostName } from "./host-name.js";
import { LeafStore } from "./leaf-store.js";
import { loadLocalCa } from "./local-ca.js";

/** What a TLS server needs to serve `https://NAME.localhost` with certificates of the user's local CA. */
export interface LocalTls {
  /** The CA's certificate, PEM: what a client trusts (`portmate trust` installs it in the browsers). */
  caPem: string;
  caFile: string;
  /**
   * For `tls.createServer`'s `SNICallback`: the context of a leaf for the name asked for, made on first use;
   * a name not under `localhost` gets the default context.
   */
  SNICallback: (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void) => void;
  /** A leaf for `localhost`, 127.0.0.1 and ::1: for clients that send no server name. */
  defaultContext: { key: string; cert: string };
}

/** How many names keep their secure context in memory; past it the oldest is dropped (its leaf stays on disk). */
const CONTEXTS = 512;

/** The user's local TLS: loads (on first use, creates) the CA in the state folder, and serves leaves of it. */
export async function loadLocalTls(layout: StateLayout): Promise<LocalTls> {
  const ca = loadLocalCa(layout);
  const leaves = new LeafStore(ca, join(ca.dir, "leaves"));
  const { key, cert } = leaves.get("localhost", ["127.0.0.1", "::1"]);
  const defaultContext = { key, cert };
  const contexts = new Map<string, { context: SecureContext; pem: string }>();
  const contextOf = (host: string): SecureContext => {
    const leaf = leaves.get(host);
    const cached = contexts.get(host);
    // The store renews a leaf near its end: a new certificate means a new context.
    if (cached?.pem === leaf.cert) return cached.context;
    const context = createSecureContext({ key: leaf.key, cert: leaf.cert });
    contexts.delete(host);
    contexts.set(host, { context, pem: leaf.cert });
    if (contexts.size > CONTEXTS) contexts.delete(contexts.keys().next().value as string);
    return context;
  };
  return {
    caPem: ca.certPem,
    caFile: ca.certFile,
    defaultContext,
    SNICallback: (servername, cb) => {
      try {
        cb(null, contextOf(localhostName(servername) ?? "localhost"));
      } catch (error) {
        cb(error as Error);
      }
    },
  };
}
