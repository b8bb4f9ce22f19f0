// The custom-resource machinery start-up does not need: the schema engine (structural schemas,
// defaulting, validation), OpenAPI publishing, tables from additionalPrinterColumns and JSONPath.
// Its users reach it through lazy modules (src/util/lazy-module.ts), which would load it synchronously
// on first use; the CRD controller awaits loadCustomMachinery() before it first serves a CRD, so the
// cost is paid there (once, before a stored CRD is ready at start-up) rather than on a request.
// CEL is not part of it: it loads only for schemas with x-kubernetes-validations (validate.ts).
let loading: Promise<void> | undefined;

export function loadCustomMachinery(): Promise<void> {
  loading ??= Promise.all([
    import('../../schema/crd-schema.ts'),
    import('../../schema/builtin.ts'),
    import('../../schema/decode.ts'),
    import('./read-defaults.ts'),
    import('./validate.ts'),
    import('../../openapi/custom.ts'),
    import('../../api/tables/custom.ts'),
  ]).then(() => undefined);
  return loading;
}
