// The few ASN.1 DER encodings an X.509 certificate needs (X.690 §8, RFC 5280 §4.1). Start-up cannot
// afford a general ASN.1 library (@peculiar/x509 cost 100–250 ms to import); Node's crypto supplies
// the keys, their SubjectPublicKeyInfo and the signatures, so only the framing is written here.

/** Tag-length-value with a definite length (short form below 128, long form above). */
export function tlv(tag: number, body: Uint8Array): Buffer {
  const n = body.length;
  let len: number[];
  if (n < 0x80) len = [n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = [0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

export const seq = (...items: Uint8Array[]) => tlv(0x30, Buffer.concat(items));
export const set = (...items: Uint8Array[]) => tlv(0x31, Buffer.concat(items));
export const octets = (b: Uint8Array) => tlv(0x04, b);
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
/** Context-specific [n]: constructed (EXPLICIT wrapper) or primitive (IMPLICIT of a primitive type). */
export const ctx = (n: number, body: Uint8Array, constructed = true) => tlv((constructed ? 0xa0 : 0x80) | n, body);

/** A non-negative INTEGER from big-endian bytes (leading zeros dropped, a 0 prepended if the top bit is set). */
export function uint(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const b = Buffer.from(bytes.subarray(i));
  return tlv(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
}
export const int = (n: number) => uint(Buffer.from([n]));

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a * 40 + b];
  for (const v of rest) {
    const groups = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) groups.unshift(0x80 | (x & 0x7f));
    out.push(...groups);
  }
  return tlv(0x06, Buffer.from(out));
}

/** BIT STRING of whole bytes (no unused bits). */
export const bits = (b: Uint8Array) => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));

/** BIT STRING of named bits 0..n (bit 0 is the most significant bit of the first byte), minimal length. */
export function namedBits(on: number[]): Buffer {
  const last = Math.max(...on);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const bit of on) bytes[bit >> 3] |= 0x80 >> (bit & 7);
  const unused = 7 - (last & 7);
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; always UTC, whole seconds. */
export function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  const year = Number(iso.slice(0, 4));
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'latin1')) : tlv(0x18, Buffer.from(digits, 'latin1'));
}
