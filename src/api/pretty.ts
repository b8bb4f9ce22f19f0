// Indented JSON, as upstream writes API objects for browsers and command-line HTTP tools.
//
// Upstream picks its "pretty" serializer (json.MarshalIndent with two spaces, and no trailing newline,
// unlike json.Encoder) when the query has pretty=<true> or, without that parameter, when the
// User-Agent starts with "curl", "Wget" or "Mozilla/5.0" (k8s.io/apiserver negotiation, isPrettyPrint).
// Watch streams are never indented.
import type { IncomingMessage } from 'node:http';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** Whether upstream would indent its JSON answer to this request. */
export function wantsPretty(req: IncomingMessage | undefined): boolean {
  if (!req) return false;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q >= 0 && url.includes('pretty', q)) {
    const v = new URLSearchParams(url.slice(q + 1)).get('pretty');
    // A value that does not parse as a boolean counts as false, as strconv.ParseBool's error is ignored.
    if (v) return TRUE.has(v);
  }
  const ua = req.headers['user-agent'] ?? '';
  return ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/5.0');
}

/** Compact JSON text (a trailing newline allowed) indented as json.MarshalIndent(v, "", "  ") writes it. */
export function indentJson(compact: string): string {
  return JSON.stringify(JSON.parse(compact), null, 2).replace(GO_ESCAPED_ALL, goEscape);
}

/** Go's HTML-safe escapes (they only occur inside strings). */
const GO_ESCAPED_ALL = /[<>&\u2028\u2029]/g;
const goEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
