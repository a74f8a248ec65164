import { X509Certificate } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir } from "../../state/paths.js";
import { issueLeaf, type Leaf } from "./leaf.js";
import type { LocalCa } from "./local-ca.js";

const DAY = 24 * 60 * 60 * 1000;
/** A leaf this close to its end is made anew, so that a long-running proxy never serves an expired one. */
const RENEW_BEFORE_DAYS = 30;

/** A leaf, its certificate parsed. */
export interface StoredLeaf extends Leaf {
  x509: X509Certificate;
}

/**
 * The leaves of one CA by host name, kept in memory and in `dir` (one 0600 file of key and certificate per
 * name); a leaf is made on first use, and again when it nears its end or another CA signed it.
 */
export class LeafStore {
  private readonly memory = new Map<string, StoredLeaf>();

  constructor(
    private readonly ca: LocalCa,
    private readonly dir: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The leaf for `host`, a name `localhostName` accepted; `addresses` are added to a new one. */
  get(host: string, addresses: readonly string[] = []): StoredLeaf {
    // One in memory was checked when it was read or made; one on disk may be of another CA, or hand-edited.
    const remembered = this.memory.get(host);
    if (remembered && this.fresh(remembered)) return remembered;
    const read = this.read(host);
    if (read && this.fresh(read) && this.signedFor(read, host)) {
      this.memory.set(host, read);
      return read;
    }
    const leaf = issueLeaf(this.ca, host, { addresses, now: this.clock() });
    const stored = { ...leaf, x509: new X509Certificate(leaf.cert) };
    this.write(host, leaf);
    this.memory.set(host, stored);
    return stored;
  }

  private file(host: string): string {
    return join(this.dir, `${host}.pem`);
  }

  private fresh(leaf: StoredLeaf): boolean {
    return new Date(leaf.x509.validTo).getTime() - RENEW_BEFORE_DAYS * DAY > this.clock().getTime();
  }

  private signedFor(leaf: StoredLeaf, host: string): boolean {
    return leaf.x509.checkIssued(this.ca.cert) && leaf.x509.verify(this.ca.cert.publicKey) && leaf.x509.checkHost(host) === host;
  }

  private read(host: string): StoredLeaf | undefined {
    try {
      const text = readFileSync(this.file(host), "utf8");
      const key = /-----BEGIN PRIVATE KEY-----[^]*?-----END PRIVATE KEY-----\n/.exec(text)?.[0];
      const cert = /-----BEGIN CERTIFICATE-----[^]*?-----END CERTIFICATE-----\n/.exec(text)?.[0];
      return key && cert ? { key, cert, x509: new X509Certificate(cert) } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Written to a temporary file and renamed, so that a reader never sees half a leaf. */
  private write(host: string, leaf: Leaf): void {
    ensurePrivateDir(this.dir);
    const temporary = `${this.file(host)}.${process.pid}.tmp`;
    writeFileSync(temporary, leaf.key + leaf.cert, { mode: 0o600 });
    renameSync(temporary, this.file(host));
  }
}
