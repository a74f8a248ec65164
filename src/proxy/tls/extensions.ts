// The X.509 v3 extensions of portmate's certificates (RFC 5280 §4.2), each as DER.
import { isIPv4 } from "node:net";
import { boolean, type Der, ia5String, octetString, oid, sequence, smallInteger, tagged, tlv } from "./der.js";

function extension(id: string, value: Der, critical = false): Der {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** Whether the certificate may sign others; a CA may sign leaves only (path length 0). */
export function basicConstraints(ca: boolean): Der {
  return extension("2.5.29.19", ca ? sequence(boolean(true), smallInteger(0)) : sequence(), true);
}

const KEY_USAGE_BITS = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** What the key may do: sign certificates and CRLs (a CA), or sign TLS handshakes (an EC leaf). */
export function keyUsage(...usages: (keyof typeof KEY_USAGE_BITS)[]): Der {
  const byte = usages.reduce((bits, usage) => bits | (0x80 >> KEY_USAGE_BITS[usage]), 0);
  let unused = 0;
  while (unused < 7 && !(byte & (1 << unused))) unused++;
  return extension("2.5.29.15", tlv(0x03, Buffer.from([unused, byte])), true);
}

/** The leaf serves TLS (id-kp-serverAuth). */
export function serverAuth(): Der {
  return extension("2.5.29.37", sequence(oid("1.3.6.1.5.5.7.3.1")));
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split(".").map(Number));
  // Only the loopback addresses are written: ::1 is fifteen zero bytes and a one.
  if (address === "::1") return Buffer.from([...Array<number>(15).fill(0), 1]);
  throw new Error(`unsupported address ${address}`);
}

/** The names the leaf is for: DNS names exactly as given (no wildcard), and IP addresses. */
export function subjectAltName(dnsNames: readonly string[], addresses: readonly string[] = [], critical = false): Der {
  const names = [...dnsNames.map((name) => tlv(0x82, ia5String(name).subarray(2))), ...addresses.map((address) => tagged(7, ipBytes(address), false))];
  return extension("2.5.29.17", sequence(...names), critical);
}

export function subjectKeyIdentifier(id: Buffer): Der {
  return extension("2.5.29.14", octetString(id));
}

export function authorityKeyIdentifier(id: Buffer): Der {
  return extension("2.5.29.35", sequence(tagged(0, id, false)));
}

/**
 * What the CA may sign at all: names under `localhost` and loopback addresses, so that its key, were it ever
 * stolen, could not impersonate any real site to a browser that trusts it.
 */
export function localhostOnly(): Der {
  const subtrees = [
    sequence(tlv(0x82, Buffer.from("localhost", "ascii"))),
    sequence(tagged(7, Buffer.from([127, 0, 0, 0, 255, 0, 0, 0]), false)),
    sequence(tagged(7, Buffer.concat([ipBytes("::1"), Buffer.alloc(16, 0xff)]), false)),
  ];
  return extension("2.5.29.30", sequence(tagged(0, Buffer.concat(subtrees))), true);
}
