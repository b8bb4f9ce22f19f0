// Resource quantities ("100m", "1.5", "64Gi", "1e3") as numbers: cpu in millicores, everything else
// in base units. Malformed values count as 0 (validation belongs to the registry).
const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export function quantityValue(q: unknown): number {
  if (typeof q === 'number') return Number.isFinite(q) ? q : 0;
  if (typeof q !== 'string') return 0;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/.exec(q.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  if (m[2]) return n * BIN[m[2]];
  if (m[3]) return n * 10 ** Number(m[3].slice(1));
  return n * DEC[m[4] ?? ''];
}

/** cpu in millicores (rounded up, as upstream's MilliValue). */
export function milliValue(q: unknown): number { return Math.ceil(quantityValue(q) * 1000 - 1e-9); }
