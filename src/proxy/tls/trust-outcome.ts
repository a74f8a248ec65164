/** The CA as the trust stores see it. */
export interface TrustedCa {
  /** The name it is stored under: its common name, `portmate local CA (user@host)`. */
  nickname: string;
  /** Its certificate, PEM, and the file that holds it. */
  pem: string;
  file: string;
  /** SHA-1 fingerprint, hex without colons: how a macOS keychain names a certificate. */
  sha1: string;
}

/** A CA known by name only, to remove: what was trusted under its name goes, whichever certificate it was. */
export type NamedCa = Pick<TrustedCa, "nickname"> & { file?: string };

/**
 * What was done to one store: the CA `added`, `replaced` (an older one of the same name removed first),
 * `already` there, `removed`, `absent` (nothing to remove, or no such store), or `failed`.
 */
export type TrustOutcome = "added" | "replaced" | "already" | "removed" | "absent" | "failed";
