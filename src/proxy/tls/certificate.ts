import { createHash, randomBytes, sign, type KeyObject } from "node:crypto";
import { bitString, children, type Der, oid, sequence, set, smallInteger, tagged, time, unsignedInteger, utf8String } from "./der.js";

/** What goes into a certificate: its names, key, validity and extensions, and who signs it. */
export interface CertificateSpec {
  subject: Der;
  issuer: Der;
  /** The subject's public key. */
  publicKey: KeyObject;
  /** The issuer's private key, EC P-256 (signed ecdsa-with-SHA256). */
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Der[];
}

const ECDSA_WITH_SHA256 = sequence(oid("1.2.840.10045.4.3.2"));

/** A distinguished name of an organization and a common name, such as `O=portmate, CN=ui.demo.localhost`. */
export function distinguishedName(parts: { organization?: string; commonName?: string }): Der {
  const rdns: Der[] = [];
  if (parts.organization) rdns.push(set(sequence(oid("2.5.4.10"), utf8String(parts.organization))));
  if (parts.commonName) rdns.push(set(sequence(oid("2.5.4.3"), utf8String(parts.commonName))));
  return sequence(...rdns);
}

/** The subject name of a certificate (DER), to name it as the issuer of another. */
export function subjectOf(certificate: Der): Der {
  const [tbs] = children(certificate);
  const subject = tbs && children(tbs)[5];
  if (!subject) throw new Error("not an X.509 certificate");
  return subject;
}

/** A key's identifier: the leftmost 160 bits of the SHA-256 of its SubjectPublicKeyInfo (after RFC 7093). */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash("sha256")
    .update(publicKey.export({ type: "spki", format: "der" }))
    .digest()
    .subarray(0, 20);
}

/** A version 3 X.509 certificate, signed, as PEM. Its serial number is 127 random bits. */
export function signCertificate(spec: CertificateSpec): string {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const tbs = sequence(
    tagged(0, smallInteger(2)),
    unsignedInteger(serial),
    ECDSA_WITH_SHA256,
    spec.issuer,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    spec.publicKey.export({ type: "spki", format: "der" }),
    tagged(3, sequence(...spec.extensions)),
  );
  const signature = sign("sha256", tbs, { key: spec.signingKey, dsaEncoding: "der" });
  const der = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature));
  return `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`;
}
