// IP addresses and CIDRs in CEL (k8s.io/apiserver/pkg/cel/library/ip.go and cidr.go).
import type { Environment } from '@marcbachmann/cel-js';
import { isIPv4, isIPv6 } from 'node:net';

export class IP {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) { this.bytes = bytes; }
  get family(): 4 | 6 { return this.bytes.length === 4 ? 4 : 6; }
  toString(): string { return this.family === 4 ? this.bytes.join('.') : formatV6(this.bytes); }
  equals(o: unknown): boolean { return o instanceof IP && sameBytes(this.bytes, o.bytes); }
}

export class CIDR {
  readonly ip: IP;
  readonly prefix: number;
  constructor(ip: IP, prefix: number) { this.ip = ip; this.prefix = prefix; }
  toString(): string { return `${this.ip}/${this.prefix}`; }
  masked(): CIDR { return new CIDR(new IP(maskBytes(this.ip.bytes, this.prefix)), this.prefix); }
  containsIP(ip: IP): boolean {
    return ip.family === this.ip.family && sameBytes(maskBytes(ip.bytes, this.prefix), maskBytes(this.ip.bytes, this.prefix));
  }
  containsCIDR(o: CIDR): boolean { return o.prefix >= this.prefix && this.containsIP(o.ip); }
  equals(o: unknown): boolean { return o instanceof CIDR && o.prefix === this.prefix && this.ip.equals(o.ip); }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function maskBytes(b: Uint8Array, prefix: number): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = b[i] & (0xff << (8 - bits)) & 0xff;
  }
  return out;
}

function parseV6(s: string): Uint8Array {
  const text = s.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`);
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':').map((x) => parseInt(x, 16)) : [];
  const r = rest ? rest.split(':').map((x) => parseInt(x, 16)) : [];
  const groups = rest === undefined ? h : [...h, ...new Array(8 - h.length - r.length).fill(0), ...r];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => { out[i * 2] = g >> 8; out[i * 2 + 1] = g & 0xff; });
  return out;
}

function formatV6(b: Uint8Array): string {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses an address as upstream's ip() does (no zones, no IPv4-mapped IPv6). */
export function parseIP(s: string): IP {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(s) && s.split('.').some((p) => p.length > 1 && p.startsWith('0'))) {
    throw new Error(`IP Address "${s}" parse error during conversion from string: ParseAddr("${s}"): IPv4 field has octet with leading zero`);
  }
  if (isIPv4(s)) {
    return new IP(Uint8Array.from(s.split('.').map(Number)));
  }
  if (s.includes('%')) throw new Error('IP address with zone value is not allowed');
  if (isIPv6(s)) {
    const b = parseV6(s);
    if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) throw new Error('IPv4-mapped IPv6 address is not allowed');
    return new IP(b);
  }
  throw new Error(`IP Address "${s}" parse error during conversion from string: ParseAddr("${s}"): unable to parse IP`);
}

export function parseCIDR(s: string): CIDR {
  const slash = s.lastIndexOf('/');
  const bad = () => new Error(`network address parse error during conversion from string: netip.ParsePrefix("${s}"): ${slash < 0 ? 'no \'/\'' : 'bad bits after slash'}`);
  if (slash < 0) throw bad();
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits) || (bits.length > 1 && bits.startsWith('0'))) throw bad();
  const ip = parseIP(s.slice(0, slash));
  const prefix = Number(bits);
  if (prefix > ip.bytes.length * 8) throw bad();
  return new CIDR(ip, prefix);
}

const ok = (f: () => unknown) => { try { f(); return true; } catch { return false; } };

function isLinkLocalMulticast(ip: IP): boolean {
  const b = ip.bytes;
  return ip.family === 4 ? b[0] === 224 && b[1] === 0 && b[2] === 0 : b[0] === 0xff && (b[1] & 0x0f) === 0x02;
}
function isLinkLocalUnicast(ip: IP): boolean {
  const b = ip.bytes;
  return ip.family === 4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && (b[1] & 0xc0) === 0x80;
}
function isLoopback(ip: IP): boolean {
  const b = ip.bytes;
  return ip.family === 4 ? b[0] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
}
function isUnspecified(ip: IP): boolean { return ip.bytes.every((x) => x === 0); }
function isMulticast(ip: IP): boolean { return ip.family === 4 ? (ip.bytes[0] & 0xf0) === 0xe0 : ip.bytes[0] === 0xff; }
function isGlobalUnicast(ip: IP): boolean {
  if (ip.family === 4 && ip.bytes.every((x) => x === 255)) return false;
  return !isUnspecified(ip) && !isLoopback(ip) && !isMulticast(ip) && !isLinkLocalUnicast(ip);
}

export function registerIP(env: Environment): void {
  const I = 'net.IP', C = 'net.CIDR';
  env.registerType(I, IP);
  env.registerType(C, CIDR);
  env.registerFunction(`ip(string): ${I}`, parseIP);
  env.registerFunction('isIP(string): bool', (s: string) => ok(() => parseIP(s)));
  env.registerFunction(`${I}.family(): int`, (ip: IP) => BigInt(ip.family));
  env.registerFunction(`${I}.isUnspecified(): bool`, isUnspecified);
  env.registerFunction(`${I}.isLoopback(): bool`, isLoopback);
  env.registerFunction(`${I}.isLinkLocalMulticast(): bool`, isLinkLocalMulticast);
  env.registerFunction(`${I}.isLinkLocalUnicast(): bool`, isLinkLocalUnicast);
  env.registerFunction(`${I}.isGlobalUnicast(): bool`, isGlobalUnicast);
  env.registerFunction(`string(${I}): string`, (ip: IP) => ip.toString());
  env.registerFunction(`cidr(string): ${C}`, parseCIDR);
  env.registerFunction('isCIDR(string): bool', (s: string) => ok(() => parseCIDR(s)));
  env.registerFunction(`${C}.containsIP(${I}): bool`, (c: CIDR, ip: IP) => c.containsIP(ip));
  env.registerFunction(`${C}.containsIP(string): bool`, (c: CIDR, s: string) => c.containsIP(parseIP(s)));
  env.registerFunction(`${C}.containsCIDR(${C}): bool`, (c: CIDR, o: CIDR) => c.containsCIDR(o));
  env.registerFunction(`${C}.containsCIDR(string): bool`, (c: CIDR, s: string) => c.containsCIDR(parseCIDR(s)));
  env.registerFunction(`${C}.ip(): ${I}`, (c: CIDR) => c.ip);
  env.registerFunction(`${C}.masked(): ${C}`, (c: CIDR) => c.masked());
  env.registerFunction(`${C}.prefixLength(): int`, (c: CIDR) => BigInt(c.prefix));
  env.registerFunction(`string(${C}): string`, (c: CIDR) => c.toString());
  for (const T of [I, C]) {
    env.registerOperator(`${T} == ${T}`, (a: IP | CIDR, b: IP | CIDR) => a.equals(b));
  }
}
