import { generateKeyPairSync } from "node:crypto";
import { distinguishedName, signCertificate } from "./certificate.js";
import { authorityKeyIdentifier, basicConstraints, keyUsage, serverAuth, subjectAltName } from "./extensions.js";
import type { LocalCa } from "./local-ca.js";

const DAY = 24 * 60 * 60 * 1000;
/** Under Chrome's 398-day limit on a leaf's validity, counting the hour it is backdated. */
export const LEAF_DAYS = 396;

/** A leaf certificate and its key, both PEM. */
export interface Leaf {
  key: string;
  cert: string;
}

/**
 * A leaf for one host name, signed by the CA: the exact name in its subjectAltName (browsers refuse
 * `*.localhost`, a wildcard over a whole top-level name, so each name gets its own), an EC P-256 key, and
 * serverAuth only. `addresses` adds IP names, for clients that connect by address without SNI.
 */
export function issueLeaf(ca: LocalCa, host: string, { addresses = [] as readonly string[], now = new Date() } = {}): Leaf {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  // A common name is at most 64 characters; a longer name goes in the subjectAltName only, then critical.
  const fitsCommonName = host.length <= 64;
  const cert = signCertificate({
    subject: distinguishedName(fitsCommonName ? { commonName: host } : {}),
    issuer: ca.subject,
    publicKey,
    signingKey: ca.key,
    notBefore: new Date(now.getTime() - 60 * 60 * 1000),
    notAfter: new Date(now.getTime() + LEAF_DAYS * DAY),
    extensions: [
      basicConstraints(false),
      keyUsage("digitalSignature"),
      serverAuth(),
      subjectAltName([host], addresses, !fitsCommonName),
      authorityKeyIdentifier(ca.keyId),
    ],
  });
  return { key: privateKey.export({ type: "pkcs8", format: "pem" }) as string, cert };
}
