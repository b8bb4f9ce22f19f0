// CRDs of our own for the custom-resource tests.
export function widgetCRD(opts: { group?: string; plural?: string; kind?: string; scope?: 'Namespaced' | 'Cluster'; shortNames?: string[]; versions?: any[] } = {}) {
  const group = opts.group ?? 'skiff.example.com';
  const plural = opts.plural ?? 'widgets';
  const kind = opts.kind ?? 'Widget';
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group, scope: opts.scope ?? 'Namespaced',
      names: { plural, singular: kind.toLowerCase(), kind, shortNames: opts.shortNames ?? ['wd'], categories: ['all', 'skiff'] },
      versions: opts.versions ?? [{
        name: 'v1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: {
          spec: { type: 'object', properties: { color: { type: 'string' }, size: { type: 'integer' }, replicas: { type: 'integer' }, selector: { type: 'string' } } },
          status: { type: 'object', properties: { replicas: { type: 'integer' }, phase: { type: 'string' }, selector: { type: 'string' } } },
        } } },
        subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
        additionalPrinterColumns: [
          { name: 'Color', type: 'string', jsonPath: '.spec.color' },
          { name: 'Size', type: 'integer', jsonPath: '.spec.size', priority: 1 },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        selectableFields: [{ jsonPath: '.spec.color' }],
      }],
    },
  };
}

export function widget(name: string, spec: Record<string, unknown> = { color: 'red', size: 3 }, apiVersion = 'skiff.example.com/v1') {
  return { apiVersion, kind: 'Widget', metadata: { name }, spec };
}
