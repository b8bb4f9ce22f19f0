// The simulated kubelet's own HTTP endpoints, as nodes/{name}/proxy reaches them: /healthz, /pods
// (the node's pods), /configz, /logs/ (a listing) and /spec/; anything else is Go's 404.
import type { ServerResponse } from 'node:http';
import { findResource } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';

const text = (res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8') => {
  res.statusCode = code;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
};

export async function answerKubelet(store: Store, node: KObject, method: string, path: string, res: ServerResponse): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') { text(res, 405, 'Method Not Allowed\n'); return; }
  const name = node.metadata.name!;
  switch (path) {
    case '/healthz': text(res, 200, 'ok'); return;
    case '/pods': case '/pods/': {
      const { items } = await store.list(findResource('', 'v1', 'pods')!, undefined, { fieldSelector: `spec.nodeName=${name}` } as any);
      text(res, 200, JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: items.map((e) => e.obj) }), 'application/json');
      return;
    }
    case '/configz': text(res, 200, JSON.stringify({ kubeletconfig: { enableServer: true, port: 10250, podCIDR: (node as any).spec?.podCIDR ?? '', maxPods: Number((node as any).status?.capacity?.pods ?? 110), clusterDomain: 'cluster.local', clusterDNS: ['10.96.0.10'] } }), 'application/json'); return;
    case '/spec': case '/spec/': text(res, 200, JSON.stringify({ num_cores: Number((node as any).status?.capacity?.cpu ?? 0) || 0, machine_id: name }), 'application/json'); return;
    case '/logs': case '/logs/':
      text(res, 200, '<pre>\n<a href="containers/">containers/</a>\n<a href="pods/">pods/</a>\n</pre>\n', 'text/html; charset=utf-8'); return;
    default: text(res, 404, '404 page not found\n');
  }
}
