import type { LocalCa } from "./local-ca.js";
import type { TrustedCa } from "./trust-outcome.js";

/** The CA as trust stores name it: by its common name and fingerprint. */
export function trustedCa(ca: LocalCa): TrustedCa {
  const nickname = /^CN=(.*)$/m.exec(ca.cert.subject)?.[1] ?? "portmate local CA";
  return { nickname, pem: ca.certPem, file: ca.certFile, sha1: ca.cert.fingerprint.replaceAll(":", "") };
}
