// A minimal HTTPS client for the browser tests' own changes to the cluster (create, patch), trusting
// the test server's CA.
import { request } from 'node:https';
import type { Cluster } from '../../src/index.ts';

export function kube(c: Cluster) {
  return (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ code: number; body: any }> => {
    const url = new URL(path, c.url);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const r = request(url, {
        method, ca: c.caPem,
        headers: { Authorization: `Bearer ${c.token}`, Accept: 'application/json', ...(payload ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try { parsed = JSON.parse(text); } catch { /* not JSON */ }
          resolve({ code: res.statusCode ?? 0, body: parsed });
        });
      });
      r.on('error', reject);
      r.end(payload);
    });
  };
}

export function deployment(name: string, replicas: number, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, ...extra }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    },
  };
}
