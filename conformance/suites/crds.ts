// Custom resources with kubectl: a CRD applied then a CR, get with printer columns and short names,
// `get all`, explain, scale, every patch type, the status subresource, and deleting the CRD.
// Each case defines its own CRD, in a group named after its namespace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Case, CaseContext } from '../lib.ts';
import { check, waitFor } from '../lib.ts';
import { kubectl, ok } from './kubectl.ts';

const groupOf = (ctx: CaseContext) => `${ctx.ns}.skiff.test`;

/** The validation case's CRD has a default, bounds and a CEL rule too. */
const VALIDATION_FIELDS = `              retain: {type: integer, minimum: 1, default: 7, description: Days a backup is kept.}
            x-kubernetes-validations:
            - {rule: "!has(self.target) || self.target != 'forbidden'", message: target may not be forbidden}
`;

function crdYaml(ctx: CaseContext, extra = ''): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.${groupOf(ctx)}
spec:
  group: ${groupOf(ctx)}
  scope: Namespaced
  names: {plural: backups, singular: backup, kind: Backup, shortNames: [bk], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: A Backup copies a volume on a schedule.
        properties:
          spec:
            type: object
            description: What to back up and how often.
            properties:
              schedule: {type: string, description: Cron schedule of the backup.}
              target: {type: string}
              replicas: {type: integer}
${extra}          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
              phase: {type: string}
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .status.selector}
    additionalPrinterColumns:
    - {name: Schedule, type: string, jsonPath: .spec.schedule}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Phase, type: string, jsonPath: .status.phase}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
`;
}

const crYaml = (ctx: CaseContext, name: string, schedule = '0 3 * * *') => `apiVersion: ${groupOf(ctx)}/v1
kind: Backup
metadata:
  name: ${name}
  namespace: ${ctx.ns}
spec: {schedule: "${schedule}", target: data, replicas: 1}
`;

function file(ctx: CaseContext, name: string, text: string): string {
  const p = join(ctx.tmp, name);
  writeFileSync(p, text);
  return p;
}

/** Apply this case's CRD and wait until it is Established, as a newcomer would. */
async function installCRD(ctx: CaseContext, extra = ''): Promise<void> {
  await ok(ctx, ['apply', '-f', file(ctx, 'crd.yaml', crdYaml(ctx, extra))]);
  await ok(ctx, ['wait', '--for', 'condition=established', '--timeout=20s', `crd/backups.${groupOf(ctx)}`]);
}

const res = (ctx: CaseContext) => `backups.${groupOf(ctx)}`;

export const crdCases: Case[] = [
  {
    behavior: 'crd.serve', name: 'crd-apply-get', core: true,
    async run(ctx) {
      await installCRD(ctx);
      await ok(ctx, ['apply', '-f', file(ctx, 'cr.yaml', crYaml(ctx, 'nightly'))]);
      const table = await ok(ctx, ['get', res(ctx), '-n', ctx.ns]);
      const [head, row] = table.trim().split('\n');
      check(/^NAME\s+SCHEDULE\s+REPLICAS\s+PHASE\s+AGE$/.test(head.trim()), `printer columns header: ${head}`);
      check(/^nightly\s+0 3 \* \* \*\s+1\s+\S+$/.test(row.trim()) || /^nightly\s+0 3 \* \* \*\s+1\s+\d+s$/.test(row.trim()), `printer columns row: ${row}`);
      const short = await ok(ctx, ['get', 'bk', '-n', ctx.ns, '-o', 'name']);
      check(short.trim() === `backup.${groupOf(ctx)}/nightly`, `get by short name: ${short}`);
      const all = await ok(ctx, ['get', 'all', '-n', ctx.ns, '-o', 'name']);
      check(all.includes(`backup.${groupOf(ctx)}/nightly`), `get all includes the custom resource (category all): ${all}`);
      const ar = await ok(ctx, ['api-resources', `--api-group=${groupOf(ctx)}`, '-o', 'wide']);
      check(/backups\s+bk\s+\S+\/v1\s+true\s+Backup/.test(ar), `api-resources: ${ar}`);
      const obj = JSON.parse(await ok(ctx, ['get', res(ctx), 'nightly', '-n', ctx.ns, '-o', 'json']));
      check(obj.apiVersion === `${groupOf(ctx)}/v1` && obj.metadata.generation === 1 && obj.metadata.uid, `object: ${JSON.stringify(obj).slice(0, 300)}`);
    },
  },
  {
    behavior: 'crd.explain', name: 'crd-explain', core: true,
    async run(ctx) {
      await installCRD(ctx);
      const out = await waitFor('explain of the custom field', async () => {
        const r = await kubectl(ctx, ['explain', `${res(ctx)}.spec.schedule`]);
        return r.code === 0 && r.stdout;
      });
      check(out.includes('Cron schedule of the backup.') && out.includes('<string>'), `explain: ${out}`);
      const top = await ok(ctx, ['explain', res(ctx)]);
      check(top.includes('A Backup copies a volume on a schedule.') && top.includes('KIND:') && top.includes('Backup'), `explain: ${top}`);
    },
  },
  {
    behavior: 'crd.scale', name: 'crd-scale', core: true,
    async run(ctx) {
      await installCRD(ctx);
      await ok(ctx, ['apply', '-f', file(ctx, 'cr.yaml', crYaml(ctx, 'sc'))]);
      await ok(ctx, ['scale', res(ctx), 'sc', '-n', ctx.ns, '--replicas=4']);
      const n = await ok(ctx, ['get', res(ctx), 'sc', '-n', ctx.ns, '-o', 'jsonpath={.spec.replicas}']);
      check(n.trim() === '4', `spec.replicas after kubectl scale: ${n}`);
      const bad = await kubectl(ctx, ['scale', res(ctx), 'sc', '-n', ctx.ns, '--replicas=2', '--current-replicas=3']);
      check(bad.code !== 0 && /Expected replicas to be 3, was 4/.test(bad.stderr), `--current-replicas precondition: ${bad.stderr}`);
    },
  },
  {
    behavior: 'crd.patch', name: 'crd-patch-types', core: true,
    async run(ctx) {
      await installCRD(ctx);
      await ok(ctx, ['apply', '-f', file(ctx, 'cr.yaml', crYaml(ctx, 'p'))]);
      const g = (f: string) => ok(ctx, ['get', res(ctx), 'p', '-n', ctx.ns, '-o', `jsonpath={${f}}`]).then((s) => s.trim());
      await ok(ctx, ['patch', res(ctx), 'p', '-n', ctx.ns, '--type=merge', '-p', '{"spec":{"target":"merge"}}']);
      check(await g('.spec.target') === 'merge', 'merge patch');
      await ok(ctx, ['patch', res(ctx), 'p', '-n', ctx.ns, '--type=json', '-p', '[{"op":"replace","path":"/spec/target","value":"json"}]']);
      check(await g('.spec.target') === 'json', 'json patch');
      const smp = await kubectl(ctx, ['patch', res(ctx), 'p', '-n', ctx.ns, '-p', '{"spec":{"target":"smp"}}']);
      check(smp.code !== 0 && /application\/strategic-merge-patch\+json is not supported/.test(smp.stderr), `strategic merge patch is refused for custom resources: ${smp.stderr}`);
      await ok(ctx, ['apply', '--server-side', '--force-conflicts', '-f', file(ctx, 'cr2.yaml', crYaml(ctx, 'p', '*/5 * * * *'))]);
      check(await g('.spec.schedule') === '*/5 * * * *', 'server-side apply');
      const mf = JSON.parse(await ok(ctx, ['get', res(ctx), 'p', '-n', ctx.ns, '-o', 'json', '--show-managed-fields']));
      check(mf.metadata.managedFields.some((m: any) => m.manager === 'kubectl' && m.operation === 'Apply'), `managedFields: ${JSON.stringify(mf.metadata.managedFields)}`);
      await ok(ctx, ['patch', res(ctx), 'p', '-n', ctx.ns, '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Done"},"spec":{"target":"ignored"}}']);
      check(await g('.status.phase') === 'Done', 'status subresource patch');
      check(await g('.spec.target') !== 'ignored', 'spec is not changed through /status');
      const table = await ok(ctx, ['get', res(ctx), 'p', '-n', ctx.ns, '--no-headers']);
      check(/\bDone\b/.test(table), `Phase column: ${table}`);
    },
  },
  {
    behavior: 'crd.delete', name: 'crd-delete', core: true,
    async run(ctx) {
      await installCRD(ctx);
      await ok(ctx, ['apply', '-f', file(ctx, 'cr.yaml', crYaml(ctx, 'd1'))]);
      await ok(ctx, ['apply', '-f', file(ctx, 'cr2.yaml', crYaml(ctx, 'd2'))]);
      await ok(ctx, ['delete', 'crd', `backups.${groupOf(ctx)}`, '--timeout=30s']);
      const gone = await kubectl(ctx, ['get', 'crd', `backups.${groupOf(ctx)}`]);
      check(gone.code !== 0 && /NotFound|not found/.test(gone.stderr), `CRD gone after delete: ${gone.stderr}`);
      await waitFor('custom resources no longer served', async () => {
        const r = await kubectl(ctx, ['get', res(ctx), '-n', ctx.ns]);
        return r.code !== 0 && /the server doesn't have a resource type|not find the requested resource/.test(r.stderr) && r;
      });
      // Re-creating the CRD serves an empty collection: the objects were deleted with it.
      await installCRD(ctx);
      const left = await ok(ctx, ['get', res(ctx), '-n', ctx.ns, '-o', 'name']);
      check(left.trim() === '', `objects deleted with the CRD: ${left}`);
    },
  },
  {
    behavior: 'crd.validation', name: 'crd-unknown-field', core: true,
    async run(ctx) {
      await installCRD(ctx, VALIDATION_FIELDS);
      const cr = (name: string, spec: string) => `apiVersion: ${groupOf(ctx)}/v1\nkind: Backup\nmetadata: {name: ${name}, namespace: ${ctx.ns}}\nspec: ${spec}\n`;
      // Strict (kubectl's default): a typo is refused naming the field.
      let r = await waitFor('the schema is served', async () => {
        const x = await kubectl(ctx, ['apply', '-f', file(ctx, 'bad.yaml', cr('typo', '{schedulee: "x"}'))]);
        return x.code !== 0 && x;
      });
      check(/unknown field "spec.schedulee"/.test(r.stderr), `unknown field refused under --validate=strict (default): ${r.stderr || r.stdout}`);
      // --validate=false: the unknown field is dropped, and the schema default is filled in.
      await ok(ctx, ['apply', '--validate=false', '-f', file(ctx, 'lax.yaml', cr('lax', '{schedulee: "x", schedule: "@daily"}'))]);
      const got = JSON.parse(await ok(ctx, ['get', res(ctx), 'lax', '-n', ctx.ns, '-o', 'json']));
      check(got.spec.schedulee === undefined && got.spec.schedule === '@daily' && got.spec.retain === 7, `pruned and defaulted: ${JSON.stringify(got.spec)}`);
      // A typo applied to the existing object (a patch) is refused too, and changes nothing.
      r = await kubectl(ctx, ['apply', '-f', file(ctx, 'lax2.yaml', cr('lax', '{schedulee: "y", schedule: "@hourly"}'))]);
      check(r.code !== 0 && /unknown field "spec.schedulee"/.test(r.stderr), `typo in an apply to an existing object: ${r.stderr || r.stdout}`);
      check(JSON.parse(await ok(ctx, ['get', res(ctx), 'lax', '-n', ctx.ns, '-o', 'json'])).spec.schedule === '@daily', 'the refused apply changed nothing');
      // Wrong type and a bound: 422 with upstream's wording.
      r = await kubectl(ctx, ['apply', '-f', file(ctx, 'type.yaml', cr('typed', '{retain: "x"}'))]);
      check(r.code !== 0 && r.stderr.includes('spec.retain: Invalid value: "string": spec.retain in body must be of type integer: "string"'), `wrong type: ${r.stderr || r.stdout}`);
      r = await kubectl(ctx, ['apply', '-f', file(ctx, 'min.yaml', cr('min', '{retain: 0}'))]);
      check(r.code !== 0 && r.stderr.includes('spec.retain in body should be greater than or equal to 1'), `minimum: ${r.stderr || r.stdout}`);
      // A CEL rule of the schema.
      r = await kubectl(ctx, ['apply', '-f', file(ctx, 'cel.yaml', cr('cel', '{target: forbidden}'))]);
      check(r.code !== 0 && r.stderr.includes('spec: Invalid value: target may not be forbidden'), `CEL rule: ${r.stderr || r.stdout}`);
      check((await kubectl(ctx, ['get', res(ctx), 'cel', '-n', ctx.ns])).code !== 0, 'an invalid object is not stored');
      // kubectl explain sees the new field.
      const out = await waitFor('explain of spec.retain', async () => {
        const x = await kubectl(ctx, ['explain', `${res(ctx)}.spec.retain`]);
        return x.code === 0 && x.stdout;
      });
      check(out.includes('<integer>') && out.includes('Days a backup is kept.'), `explain: ${out}`);
    },
  },
];
