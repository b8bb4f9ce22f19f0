// The real transport: HTTPS over TCP with keep-alive connections (one agent per CA bundle, server
// name and client certificate), and Node's failures phrased as Go's net/http and crypto/tls phrase them
// (what upstream's messages carry after `Post "<url>": `).
import { Agent, request } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { DialError } from './transport.ts';
import type { TransportRequest, TransportResponse } from './transport.ts';

const agents = new Map<string, Agent>();
const MAX_AGENTS = 64;

function agentFor(r: TransportRequest): Agent {
  const key = JSON.stringify([r.ca ?? '', r.serverName, r.cert ?? '', r.key ?? '', !!r.insecure]);
  let a = agents.get(key);
  if (!a) {
    if (agents.size >= MAX_AGENTS) { const [k, old] = agents.entries().next().value!; old.destroy(); agents.delete(k); }
    // The certificate must name the server (its DNS name, or the IP of a URL with an IP host). Set on
    // the agent: a per-request checkServerIdentity would keep Node from reusing connections.
    const name = r.serverName, insecure = !!r.insecure;
    a = new Agent({ keepAlive: true, maxSockets: 64, rejectUnauthorized: !r.insecure, ca: r.ca,
      checkServerIdentity: (_host: string, cert: PeerCertificate) => (insecure ? undefined : checkIdentity(name, cert)), cert: r.cert, key: r.key, ...(isIpLiteral(r.serverName) ? {} : { servername: r.serverName }) });
    agents.set(key, a);
  }
  return a;
}

/** Closes every pooled connection (server stop, tests). */
export function closeAgents(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}

export function httpsTransport(r: TransportRequest): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: r.address, port: r.port, method: r.method, path: r.path, agent: agentFor(r),
      servername: isIpLiteral(r.serverName) ? undefined : r.serverName,
      headers: { ...r.headers, Host: r.host, ...(r.body ? { 'Content-Length': String(r.body.length) } : {}) },
    }, (res) => {
      if (r.stream) { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.alloc(0), stream: res }); return; }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > r.maxBytes) { res.destroy(); reject(new DialError(`response body too large: more than ${r.maxBytes} bytes`)); return; }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', (e) => reject(goError(e, r)));
    });
    req.on('error', (e) => reject(goError(e, r)));
    const onAbort = () => req.destroy(new DialError('context deadline exceeded'));
    r.signal.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => r.signal.removeEventListener('abort', onAbort));
    req.end(r.body);
  });
}

const isIpLiteral = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');

function checkIdentity(name: string, cert: PeerCertificate): Error | undefined {
  return checkServerIdentity(name.replace(/^\[|\]$/g, ''), cert);
}

/** Node's error as Go's http.Client words it. */
export function goError(e: Error & { code?: string }, r: TransportRequest): Error {
  if (e instanceof DialError) return e;
  if (e.name === 'AbortError' || r.signal.aborted) return new DialError('context deadline exceeded');
  const target = `${r.address.includes(':') ? `[${r.address}]` : r.address}:${r.port}`;
  switch (e.code) {
    case 'ECONNREFUSED': return new DialError(`dial tcp ${target}: connect: connection refused`);
    case 'EHOSTUNREACH': return new DialError(`dial tcp ${target}: connect: no route to host`);
    case 'ENETUNREACH': return new DialError(`dial tcp ${target}: connect: network is unreachable`);
    case 'ETIMEDOUT': return new DialError(`dial tcp ${target}: i/o timeout`);
    case 'ENOTFOUND': case 'EAI_AGAIN': return new DialError(`dial tcp: lookup ${r.address}: no such host`);
    case 'ECONNRESET': case 'EPIPE': return new DialError('EOF');
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT': case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY': case 'CERT_SIGNATURE_FAILURE':
      return new DialError('tls: failed to verify certificate: x509: certificate signed by unknown authority');
    case 'CERT_HAS_EXPIRED': case 'CERT_NOT_YET_VALID':
      return new DialError('tls: failed to verify certificate: x509: certificate has expired or is not yet valid');
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new DialError(`tls: failed to verify certificate: x509: certificate is not valid for ${r.serverName}`);
    case 'EPROTO': case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return new DialError(/wrong version number|packet length too long|http request/i.test(e.message)
        ? 'http: server gave HTTP response to HTTPS client' : `remote error: tls: handshake failure`);
    case 'HPE_INVALID_CONSTANT': case 'HPE_INVALID_VERSION': case 'HPE_INVALID_STATUS': case 'HPE_INVALID_HEADER_TOKEN':
      return new DialError(`net/http: HTTP/1.x transport connection broken: malformed HTTP response`);
    default:
      if (/^ERR_SSL|^ERR_TLS/.test(e.code ?? '')) return new DialError(`remote error: tls: ${e.message}`);
      return new DialError(e.message);
  }
}
