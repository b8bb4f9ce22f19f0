// Micro-benchmark: validateCel on a typical custom object (root, spec and list-item rules).
// Run: node bench/cel.ts
import { validateCel, compileSchemaRules } from '../src/cel/index.ts';
import type { StructuralSchema } from '../src/schema/types.ts';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      'x-kubernetes-validations': [
        { rule: 'self.replicas >= 0 && self.replicas <= 100', message: 'replicas out of range' },
        { rule: 'self.image.startsWith("registry.example.com/")' },
        { rule: 'self.replicas <= oldSelf.replicas + 10' },
      ],
      properties: {
        replicas: { type: 'integer' },
        image: { type: 'string', maxLength: 256 },
        ports: {
          type: 'array', maxItems: 16, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string', maxLength: 15 }, port: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.port > 0 && self.port < 65536' }] },
        },
      },
    },
  },
};
const obj = { apiVersion: 'example.com/v1', kind: 'App', metadata: { name: 'a', namespace: 'd' }, spec: { replicas: 3, image: 'registry.example.com/app:1', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } };
if (compileSchemaRules(schema, 'x').length) throw new Error('schema does not compile');
const N = 200_000;
for (let i = 0; i < 10_000; i++) validateCel(schema, obj, undefined);
const t = performance.now();
for (let i = 0; i < N; i++) validateCel(schema, obj, undefined);
const create = N / ((performance.now() - t) / 1000);
const t2 = performance.now();
for (let i = 0; i < N; i++) validateCel(schema, obj, obj);
const update = N / ((performance.now() - t2) / 1000);
console.log(`validateCel create: ${Math.round(create)} ops/s, update: ${Math.round(update)} ops/s (4 rules + 1 per port item)`);
