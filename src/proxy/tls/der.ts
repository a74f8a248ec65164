// The few DER encodings an X.509 certificate of fixed shape needs (ITU-T X.690). Node's crypto signs and
// verifies certificates but cannot write one; these, with certificate.ts, are all that takes.

/** One encoded DER value: tag, length and contents. */
export type Der = Buffer;

function length(size: number): Buffer {
  if (size < 0x80) return Buffer.from([size]);
  const bytes: number[] = [];
  for (let rest = size; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A value of `tag` with these contents. */
export function tlv(tag: number, contents: Buffer): Der {
  return Buffer.concat([Buffer.from([tag]), length(contents.length), contents]);
}

export const sequence = (...items: Der[]): Der => tlv(0x30, Buffer.concat(items));
export const set = (...items: Der[]): Der => tlv(0x31, Buffer.concat(items));
export const octetString = (bytes: Buffer): Der => tlv(0x04, bytes);
export const utf8String = (text: string): Der => tlv(0x0c, Buffer.from(text, "utf8"));
export const ia5String = (text: string): Der => tlv(0x16, Buffer.from(text, "ascii"));
export const boolean = (value: boolean): Der => tlv(0x01, Buffer.from([value ? 0xff : 0]));
/** A BIT STRING of whole bytes. */
export const bitString = (bytes: Buffer): Der => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
/** A context-specific tag: `[number]`, constructed (explicit, or an implicit SEQUENCE) or primitive. */
export const tagged = (number: number, contents: Buffer, constructed = true): Der => tlv((constructed ? 0xa0 : 0x80) | number, contents);

/** An INTEGER from unsigned big-endian bytes (a leading zero keeps it positive). */
export function unsignedInteger(bytes: Buffer): Der {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export const smallInteger = (value: number): Der => unsignedInteger(Buffer.from([value]));

/** An OBJECT IDENTIFIER in dotted form, such as `2.5.29.19`. */
export function oid(dotted: string): Der {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) groups.unshift(0x80 | (value & 0x7f));
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A certificate's time: UTCTime up to 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
export function time(date: Date): Der {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, "ascii")) : tlv(0x18, Buffer.from(`${iso}Z`, "ascii"));
}

/** The values inside a constructed value (a SEQUENCE's items), each with its tag, undecoded. */
export function children(value: Der): Der[] {
  const items: Der[] = [];
  let at = headerLength(value);
  while (at < value.length) {
    const item = value.subarray(at, at + headerLength(value.subarray(at)) + contentLength(value.subarray(at)));
    items.push(item);
    at += item.length;
  }
  return items;
}

function headerLength(value: Der): number {
  const first = value[1] ?? 0;
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

function contentLength(value: Der): number {
  const first = value[1] ?? 0;
  if (first < 0x80) return first;
  return [...value.subarray(2, 2 + (first & 0x7f))].reduce((sum, byte) => sum * 256 + byte, 0);
}
