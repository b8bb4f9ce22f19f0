// Requests written byte for byte on a socket (no client-side normalisation, framing or Host),
// and the response read until the server closes: for tests of what a server answers to requests
// an HTTP client library would refuse to send.
import { connect } from 'node:net';

export interface RawAnswer { statusLine: string; status: number; headers: Record<string, string>; body: Buffer; text: string; timedOut?: boolean }

/** Parse one HTTP/1.x response (interim 1xx responses skipped; chunked bodies decoded). */
export function parseResponse(all: Buffer): RawAnswer {
  let buf = all;
  for (;;) {
    const split = buf.indexOf('\r\n\r\n');
    if (split < 0) return { statusLine: buf.toString('latin1'), status: 0, headers: {}, body: Buffer.alloc(0), text: '' };
    const [statusLine, ...lines] = buf.subarray(0, split).toString('latin1').split('\r\n');
    const status = Number(statusLine.split(' ')[1]);
    let body = buf.subarray(split + 4);
    if (status >= 100 && status < 200 && status !== 101) { buf = body; continue; }
    const headers: Record<string, string> = {};
    for (const l of lines) { const i = l.indexOf(':'); if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim(); }
    if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const nl = body.indexOf('\r\n');
        const n = nl < 0 ? 0 : parseInt(body.subarray(0, nl).toString('latin1'), 16);
        if (!n) break;
        parts.push(body.subarray(nl + 2, nl + 2 + n));
        body = body.subarray(nl + 4 + n);
      }
      body = Buffer.concat(parts);
    }
    return { statusLine, status, headers, body, text: body.toString('utf8') };
  }
}

/** Write `bytes`, read until close (or `timeoutMs`, after which the socket is destroyed). */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; s.destroy(); }, timeoutMs);
    s.on('connect', () => s.write(bytes));
    s.on('data', (c: Buffer) => {
      chunks.push(c);
      // A 101 stays open by design: take the head and go.
      if (/^HTTP\/1\.1 101 /.test(Buffer.concat(chunks).toString('latin1', 0, 16))) s.destroy();
    });
    s.on('error', (e) => { clearTimeout(timer); if (chunks.length) resolve(parseResponse(Buffer.concat(chunks))); else reject(e); });
    s.on('close', () => { clearTimeout(timer); resolve({ ...parseResponse(Buffer.concat(chunks)), timedOut }); });
  });
}
