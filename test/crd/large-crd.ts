// A large CRD of the kind popular operators ship: three versions (v1alpha1, v1beta1 served,
// v1 storage), a spec of several hundred fields in nested objects, lists of maps keyed by name,
// maps of strings, int-or-string and preserve-unknown-fields parts, status and scale subresources,
// printer columns and selectable fields, defaults, and CEL rules (x-kubernetes-validations) at several
// levels: one per section, a list-item rule, a transition rule, and a rule with a messageExpression.
export function largeSchema(groups = 20, fieldsPerGroup = 15): Record<string, unknown> {
  const section = (g: number) => {
    const props: Record<string, unknown> = {};
    for (let i = 0; i < fieldsPerGroup; i++) {
      const kind = i % 5;
      props[`field${i}`] = kind === 0 ? { type: 'string', description: `Field ${i} of section ${g}.` }
        : kind === 1 ? { type: 'integer', format: 'int32', minimum: 0 }
          : kind === 2 ? { type: 'boolean' }
            : kind === 3 ? { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], maxItems: 64, items: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 63 }, value: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } },
            ...(g === 0 && i === 3 ? { 'x-kubernetes-validations': [{ rule: "self.name != 'reserved'", message: 'the name reserved is reserved' }] } : {}) } }
              : { type: 'object', additionalProperties: { type: 'string' } };
    }
    if (g === 0) props.field0 = { ...props.field0 as object, maxLength: 253, 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'field0 of section 0 is immutable' }] };
    return { type: 'object', description: `Section ${g}.`, properties: props,
      'x-kubernetes-validations': [{ rule: '!has(self.field1) || self.field1 <= 100000', messageExpression: `"section${g}.field1 is " + string(self.field1) + ", more than 100000"`, fieldPath: '.field1' }] };
  };
  const spec: Record<string, unknown> = { replicas: { type: 'integer', minimum: 0 }, paused: { type: 'boolean', default: false }, extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  for (let g = 0; g < groups; g++) spec[`section${g}`] = section(g);
  return {
    type: 'object', description: 'A Cluster of a large operator.',
    properties: {
      spec: { type: 'object', properties: spec, 'x-kubernetes-validations': [{ rule: '!has(self.replicas) || self.replicas <= 1000', message: 'at most 1000 replicas', reason: 'FieldValueForbidden' }] },
      status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' }, phase: { type: 'string' },
        conditions: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], items: { type: 'object', required: ['type', 'status'], properties: { type: { type: 'string' }, status: { type: 'string' }, reason: { type: 'string' }, message: { type: 'string' }, lastTransitionTime: { type: 'string', format: 'date-time' } } } } } },
    },
  };
}

export function largeCRD(group: string) {
  const schema = { openAPIV3Schema: largeSchema() };
  const version = (name: string, storage: boolean) => ({
    name, served: true, storage, schema,
    subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
    additionalPrinterColumns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
    selectableFields: [{ jsonPath: '.spec.section0.field0' }],
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `bigclusters.${group}` },
    spec: {
      group, scope: 'Namespaced',
      names: { plural: 'bigclusters', singular: 'bigcluster', kind: 'BigCluster', shortNames: ['bc'], categories: ['all'] },
      versions: [version('v1alpha1', false), version('v1beta1', false), version('v1', true)],
    },
  };
}
