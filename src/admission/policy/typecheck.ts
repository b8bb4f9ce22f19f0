// Type checking of a policy's expressions against the kinds it matches (upstream's TypeChecker,
// validating/typechecking.go): the resourceRules without wildcards name up to 10 kinds; for each
// kind whose schema is known, every validation expression and messageExpression is compiled with
// `object`/`oldObject` (and `params`, when the paramKind's schema is known) typed by the schema.
// Each expression with issues gets one warning: per kind `<group>/<version>, Kind=<Kind>: <issues>`.
import { AdmissionCompiler, type AdmissionTypes } from '../../cel/admission.ts';
import type { StructuralSchema } from '../../schema/types.ts';
import type { ExpressionWarning, ValidatingAdmissionPolicy } from '../../types/generated.ts';

export interface Gvk { group: string; version: string; kind: string }

export interface TypeResolver {
  /** The kind a group/version/resource names, or undefined when the server does not serve it. */
  kindFor(group: string, version: string, resource: string): Gvk | undefined;
  /** The schema of a kind (root: a custom resource's schema), or undefined when unknown. */
  schemaFor(gvk: Gvk): { schema: StructuralSchema; root: boolean } | undefined;
}

const MAX_TYPES_TO_CHECK = 10;
const gvkText = (g: Gvk) => `${g.group ? `${g.group}/` : ''}${g.version}, Kind=${g.kind}`;
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The kinds to check: groups, versions and resources without wildcards (or subresources), at most 10. */
export function typesToCheck(p: ValidatingAdmissionPolicy, r: TypeResolver): Gvk[] {
  const found = new Map<string, Gvk>();
  let count = 0;
  for (const rule of p.spec?.matchConstraints?.resourceRules ?? []) {
    const groups = rule.apiGroups ?? [], versions = rule.apiVersions ?? [];
    if (!groups.length || groups.some((g) => g.includes('*')) || !versions.length || versions.some((v) => v.includes('*'))) continue;
    const resources = (rule.resources ?? []).filter((x) => !/[*/]/.test(x));
    for (const g of [...groups].sort(cmp)) {
      for (const v of [...versions].sort(cmp)) {
        for (const res of [...resources].sort(cmp)) {
          const gvk = r.kindFor(g, v, res);
          if (!gvk) continue;
          found.set(`${gvk.group}/${gvk.version}/${gvk.kind}`, gvk);
          if (++count === MAX_TYPES_TO_CHECK) return sorted(found);
        }
      }
    }
  }
  return sorted(found);
}

function sorted(m: Map<string, Gvk>): Gvk[] {
  return [...m.values()].sort((a, b) => cmp(a.group, b.group) || cmp(a.version, b.version) || cmp(a.kind, b.kind));
}

function paramsSchema(p: ValidatingAdmissionPolicy, r: TypeResolver): AdmissionTypes['params'] {
  const pk = p.spec?.paramKind;
  if (!pk?.apiVersion || !pk.kind) return undefined;
  const i = pk.apiVersion.indexOf('/');
  return r.schemaFor({ group: i < 0 ? '' : pk.apiVersion.slice(0, i), version: i < 0 ? pk.apiVersion : pk.apiVersion.slice(i + 1), kind: pk.kind });
}

/** One compiler per kind, with the policy's variables composed against that kind's types. */
interface Kind { gvk: Gvk; compiler?: AdmissionCompiler; error?: string }

function kindCompiler(p: ValidatingAdmissionPolicy, gvk: Gvk, object: NonNullable<AdmissionTypes['object']>, params: AdmissionTypes['params']): Kind {
  try {
    const c = new AdmissionCompiler({ hasParams: !!params, hasAuthorizer: true }, true, { object, params });
    for (const v of p.spec?.variables ?? []) c.addVariable(v.name, v.expression);
    return { gvk, compiler: c };
  } catch (e) {
    // A schema the checker cannot type (nested beyond the stack): reported as upstream reports internal errors.
    return { gvk, error: (e as Error).message };
  }
}

function checkExpression(kinds: Kind[], src: string): string | undefined {
  const out: string[] = [];
  for (const k of kinds) {
    let issue: string | undefined;
    if (k.error) issue = `type checking error: ${k.error}`;
    else {
      try {
        const r = k.compiler!.check(src);
        if ('error' in r) issue = r.error.replace(/^compilation failed: /, '');
      } catch (e) {
        issue = `type checking error: ${(e as Error).message}`;
      }
    }
    if (issue !== undefined) out.push(`${gvkText(k.gvk)}: ${issue}\n`);
  }
  return out.length ? out.join('\n') : undefined;
}

/** The expression warnings of status.typeChecking. */
export function typeCheck(p: ValidatingAdmissionPolicy, r: TypeResolver): ExpressionWarning[] {
  const params = paramsSchema(p, r);
  const kinds: Kind[] = [];
  for (const gvk of typesToCheck(p, r)) {
    const object = r.schemaFor(gvk);
    if (object) kinds.push(kindCompiler(p, gvk, object, params));
  }
  const warnings: ExpressionWarning[] = [];
  (p.spec?.validations ?? []).forEach((v, i) => {
    const w = checkExpression(kinds, v.expression);
    if (w) warnings.push({ fieldRef: `spec.validations[${i}].expression`, warning: w });
    if (!v.messageExpression) return;
    const m = checkExpression(kinds, v.messageExpression);
    if (m) warnings.push({ fieldRef: `spec.validations[${i}].messageExpression`, warning: m });
  });
  return warnings;
}
