// src/types/generated.ts is generated from the committed OpenAPI documents: regenerating must give the
// committed file, so the types cannot drift from the schemas the write path decodes with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateTypes, OUTPUT } from '../../scripts/gen-types.ts';

test('src/types/generated.ts is what scripts/gen-types.ts generates', () => {
  const committed = readFileSync(OUTPUT, 'utf8');
  assert.ok(committed === generateTypes(), 'src/types/generated.ts is stale: run `node scripts/gen-types.ts`');
});

test('generated types follow the schemas: required fields, optional fields, special types, clashes', () => {
  const text = generateTypes();
  const iface = (name: string) => new RegExp(`export interface ${name} \\{\\n([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? '';
  assert.match(iface('LabelSelectorRequirement'), /^ {2}key: string;$/m);
  assert.match(iface('LabelSelectorRequirement'), /^ {2}operator: string;$/m);
  assert.match(iface('LabelSelectorRequirement'), /^ {2}values\?: string\[\];$/m);
  assert.match(iface('LabelSelector'), /^ {2}matchExpressions\?: LabelSelectorRequirement\[\];$/m);
  assert.match(iface('Pod'), /^ {2}metadata: ObjectMeta;$/m);
  assert.match(iface('PodSpec'), /^ {2}containers: Container\[\];$/m);
  assert.match(iface('ObjectMeta'), /^ {2}labels\?: Record<string, string>;$/m);
  assert.match(iface('ObjectMeta'), /^ {2}creationTimestamp\?: Time;$/m);
  assert.match(iface('ResourceRequirements'), /^ {2}limits\?: Record<string, Quantity>;$/m);
  assert.match(iface('RollingUpdateDeployment'), /^ {2}maxSurge\?: IntOrString;$/m);
  assert.match(text, /^export type Quantity = string \| number;$/m);
  assert.match(text, /^export interface Event \{$/m);
  assert.match(text, /^export interface EventsV1Event \{$/m);
  assert.match(text, /^export interface AutoscalingV2HorizontalPodAutoscaler \{$/m);
  assert.match(text, /^export interface Deployment \{$/m);
  assert.doesNotMatch(text, /AppsV1Deployment/);
});

// Compile-time checks (npm test typechecks first): each line must be an error, or `@ts-expect-error` itself
// fails the typecheck. These are the mistakes `any` let through before the types existed.
import type { LabelSelector, Pod, PodSpec } from '../../src/types/generated.ts';
import type { Informer } from '../../src/controllers/runtime.ts';
export function typeChecks(pods: Informer<Pod>): unknown[] {
  // @ts-expect-error matchExpressions is a list of requirements, not a number
  const sel: LabelSelector = { matchExpressions: 7 };
  // @ts-expect-error a requirement needs key and operator
  const req: LabelSelector = { matchExpressions: [{ values: ['a'] }] };
  // @ts-expect-error containers are required in a PodSpec
  const spec: PodSpec = { nodeName: 'n' };
  const pod = pods.get('ns/p');
  // @ts-expect-error ownerReferences are objects with a uid, not strings
  const uid: string | undefined = pod?.metadata.ownerReferences?.[0]?.toUpperCase();
  // @ts-expect-error tolerations live in the spec, not the status
  const tol = pod?.status?.tolerations;
  return [sel, req, spec, uid, tol];
}
