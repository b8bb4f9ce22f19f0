// The pod-template-hash: a stable 32-bit FNV-1a hash of the pod template (canonical JSON, keys
// sorted) and the collision count, rendered with upstream's "safe" alphabet (no vowels, no
// look-alikes) from the decimal digits of the hash, as upstream does. The value is stable across
// restarts and processes but is NOT byte-for-byte upstream's: upstream hashes Go's deep-printed
// struct, which cannot be reproduced from JSON.
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(s, 'utf8');
  for (const b of bytes) { h ^= b; h = Math.imul(h, 0x01000193) >>> 0; }
  return h >>> 0;
}

export function podTemplateHash(template: unknown, collisionCount?: number): string {
  const h = fnv32a(canonical(template) + (collisionCount ? `#${collisionCount}` : ''));
  let out = '';
  for (const ch of String(h)) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}
