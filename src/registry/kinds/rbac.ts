// rbac.authorization.k8s.io/v1: path-segment names, rule checks, binding defaults and the
// immutable roleRef.
import { field } from '../../errors.ts';
import type { FieldError } from '../../errors.ts';
import type { KObject } from '../strategy.ts';
import { deepEqual } from '../../util/deep-equal.ts';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../validation/names.ts';
import { validateLabelSelector } from '../validation/selector.ts';
import { arr, isObj } from './util.ts';
import type { KindStrategy } from './util.ts';

const GROUP = 'rbac.authorization.k8s.io';

function validateRules(obj: KObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  arr(obj.rules).forEach((r: any, i: number) => {
    const p = `rules[${i}]`;
    const rule = isObj(r) ? r : {};
    if (arr(rule.verbs).length === 0) errs.push(field.required(`${p}.verbs`, 'verbs must contain at least one value'));
    if (arr(rule.nonResourceURLs).length > 0) {
      if (namespaced) errs.push(field.invalid(`${p}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if (arr(rule.apiGroups).length || arr(rule.resources).length || arr(rule.resourceNames).length) {
        errs.push(field.invalid(`${p}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (arr(rule.apiGroups).length === 0) errs.push(field.required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    if (arr(rule.resources).length === 0) errs.push(field.required(`${p}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

function defaultBinding(obj: KObject): void {
  if (isObj(obj.roleRef) && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = GROUP;
  for (const s of arr(obj.subjects)) {
    if (!isObj(s) || s.apiGroup !== undefined) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = GROUP;
    else if (s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}

function validateBinding(obj: KObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = isObj(obj.roleRef) ? obj.roleRef : {};
  if (ref.apiGroup !== GROUP) errs.push(field.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(field.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(field.required('roleRef.name', ''));
  else for (const m of isValidPathSegmentName(String(ref.name))) errs.push(field.invalid('roleRef.name', ref.name, m));
  arr(obj.subjects).forEach((s: any, i: number) => {
    const p = `subjects[${i}]`;
    const sub = isObj(s) ? s : {};
    if (!sub.name) errs.push(field.required(`${p}.name`, ''));
    switch (sub.kind) {
      case 'ServiceAccount':
        if (sub.name) for (const m of isDNS1123Subdomain(String(sub.name))) errs.push(field.invalid(`${p}.name`, sub.name, m));
        if (sub.apiGroup) errs.push(field.notSupported(`${p}.apiGroup`, sub.apiGroup, ['']));
        if (!namespaced && !sub.namespace) errs.push(field.required(`${p}.namespace`, ''));
        break;
      case 'User': case 'Group':
        if (sub.apiGroup !== GROUP) errs.push(field.notSupported(`${p}.apiGroup`, sub.apiGroup ?? '', [GROUP]));
        break;
      default:
        errs.push(field.notSupported(`${p}.kind`, sub.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  return errs;
}

const roleRefImmutable = (obj: KObject, old: KObject): FieldError[] =>
  (deepEqual(obj.roleRef ?? null, old.roleRef ?? null) ? [] : [field.invalid('roleRef', obj.roleRef ?? null, 'cannot change roleRef')]);

export const roleStrategy: KindStrategy = { nameRule: 'path', validate: (o) => validateRules(o, true) };

export const clusterRoleStrategy: KindStrategy = {
  nameRule: 'path',
  validate(obj) {
    const errs = validateRules(obj, false);
    if (isObj(obj.aggregationRule)) {
      const sels = arr(obj.aggregationRule.clusterRoleSelectors);
      if (sels.length === 0) errs.push(field.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
      sels.forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
    }
    return errs;
  },
};

export const roleBindingStrategy: KindStrategy = {
  nameRule: 'path',
  prepareForCreate: defaultBinding,
  prepareForUpdate: defaultBinding,
  validate: (o) => validateBinding(o, true),
  validateUpdate: (o, old) => [...validateBinding(o, true), ...roleRefImmutable(o, old)],
};

export const clusterRoleBindingStrategy: KindStrategy = {
  nameRule: 'path',
  prepareForCreate: defaultBinding,
  prepareForUpdate: defaultBinding,
  validate: (o) => validateBinding(o, false),
  validateUpdate: (o, old) => [...validateBinding(o, false), ...roleRefImmutable(o, old)],
};
