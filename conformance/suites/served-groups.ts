// Groups an extension route serves (metrics.k8s.io) are classified like stored ones: kubectl sees
// their discovery, their requests are counted in /metrics with verb, group, resource and scope,
// and a group nobody serves is upstream's 404.
import type { Case } from '../lib.ts';
import { check } from '../lib.ts';
import { kubectl, ok } from './kubectl.ts';

const labels = (line: string) => Object.fromEntries([...line.matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));

export const servedGroupCases: Case[] = [
  {
    behavior: 'observability.metrics-served-groups', name: 'metrics-served-groups',
    async run(ctx) {
      const resources = await ok(ctx, ['api-resources', '--api-group=metrics.k8s.io', '--no-headers']);
      check(/^nodes\s+metrics\.k8s\.io\/v1beta1\s+false\s+NodeMetrics$/m.test(resources) && /^pods\s+metrics\.k8s\.io\/v1beta1\s+true\s+PodMetrics$/m.test(resources), `api-resources: ${resources}`);
      const list = JSON.parse(await ok(ctx, ['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${ctx.ns}/pods`]));
      check(list.kind === 'PodMetricsList', `list kind: ${list.kind}`);
      const text = await ok(ctx, ['get', '--raw', '/metrics']);
      const line = text.split('\n').find((l) => {
        if (!l.startsWith('apiserver_request_total{')) return false;
        const x = labels(l);
        return x.group === 'metrics.k8s.io' && x.version === 'v1beta1' && x.resource === 'pods' && x.verb === 'LIST' && x.scope === 'namespace' && x.code === '200';
      });
      check(line !== undefined && Number(line.split(' ').pop()) >= 1, `no apiserver_request_total for the metrics.k8s.io pods list: ${text.split('\n').filter((l) => l.includes('metrics.k8s.io')).join('\n').slice(0, 600)}`);
      const missing = await kubectl(ctx, ['get', '--raw', '/apis/nope.example.com/v1/things']);
      check(missing.code !== 0 && /the server could not find the requested resource/.test(missing.stderr), `unknown group: exit=${missing.code} ${missing.stderr}`);
    },
  },
];
