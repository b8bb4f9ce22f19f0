// Content negotiation: which representation the client asked for in Accept.
import { errors } from '../errors.ts';

export interface MediaRange { type: string; params: Record<string, string>; q: number }

const ANY: readonly MediaRange[] = Object.freeze([Object.freeze({ type: '*/*', params: Object.freeze({}), q: 1 })]);
/** Parsed Accept headers: clients send the same few on every request. Bounded; emptied when full. */
const parsed = new Map<string, readonly MediaRange[]>();
const PARSED_MAX = 256;

/** The media ranges of an Accept header, highest q first (shared and frozen: do not change them). */
export function parseAccept(header: string | undefined): readonly MediaRange[] {
  if (!header) return ANY;
  let r = parsed.get(header);
  if (!r) {
    if (parsed.size >= PARSED_MAX) parsed.clear();
    r = Object.freeze(parseRanges(header).map((m) => Object.freeze({ ...m, params: Object.freeze(m.params) })));
    parsed.set(header, r);
  }
  return r;
}

function parseRanges(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [t, ...ps] = part.split(';').map((x) => x.trim());
    if (!t) continue;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of ps) {
      const i = p.indexOf('=');
      if (i < 0) continue;
      const k = p.slice(0, i).trim().toLowerCase(), v = p.slice(i + 1).trim().replace(/^"|"$/g, '');
      if (k === 'q') q = Number(v); else params[k] = v;
    }
    if (q > 0) out.push({ type: t.toLowerCase(), params, q });
  }
  // Stable sort by q, keeping the client's order for equal q.
  return out.map((m, i) => ({ m, i })).sort((a, b) => b.m.q - a.m.q || a.i - b.i).map((x) => x.m);
}

export type Representation =
  | { format: 'json' | 'yaml' | 'protobuf'; as?: undefined }
  | { format: 'json' | 'protobuf'; as: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList' | 'APIGroupDiscoveryList' };

export const JSON_TYPE = 'application/json';
export const YAML_TYPE = 'application/yaml';
export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

/**
 * Choose the response representation for a resource request.
 * `allowAs` lists the `as=` transformations this endpoint supports; `protobuf` whether it can encode protobuf.
 */
export function negotiate(accept: string | undefined, allowAs: string[], protobuf: boolean): Representation {
  const ranges = parseAccept(accept);
  for (const r of ranges) {
    const as = r.params['as'];
    if (as) {
      const g = r.params['g'], v = r.params['v'];
      const okGroup = (as === 'APIGroupDiscoveryList' ? g === 'apidiscovery.k8s.io' && v === 'v2' : g === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1'));
      if (!okGroup || !allowAs.includes(as)) continue;
      if (r.type === JSON_TYPE) return { format: 'json', as: as as 'Table' };
      if (r.type === PROTOBUF_TYPE && protobuf && as !== 'Table') return { format: 'protobuf', as: as as 'PartialObjectMetadata' };
      continue;
    }
    if (r.type === JSON_TYPE || r.type === 'application/*' || r.type === '*/*' || r.type === 'application/json-seq') return { format: 'json' };
    if (r.type === YAML_TYPE) return { format: 'yaml' };
    if (r.type === PROTOBUF_TYPE && protobuf) return { format: 'protobuf' };
  }
  throw errors.notAcceptable(`only the following media types are accepted: application/json, application/yaml${protobuf ? ', application/vnd.kubernetes.protobuf' : ''}`);
}
