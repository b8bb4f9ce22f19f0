// Does a JSON value decode as metav1.ObjectMeta? Returns Go's encoding/json error for the first field
// of the wrong JSON type (`json: cannot unmarshal number into Go struct field ObjectMeta.name of type
// string`), as upstream reports metadata it cannot decode.

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

const STRING_FIELDS = ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp'];
const INT_FIELDS = ['generation', 'deletionGracePeriodSeconds'];
const MAP_FIELDS = ['labels', 'annotations'];

const fieldErr = (v: unknown, f: string, t: string) => `json: cannot unmarshal ${jsonKind(v)} into Go struct field ObjectMeta.${f} of type ${t}`;

export function objectMetaDecodeError(meta: unknown): string | undefined {
  if (meta === null || meta === undefined) return undefined;
  if (!isMap(meta)) return `json: cannot unmarshal ${jsonKind(meta)} into Go value of type v1.ObjectMeta`;
  for (const f of STRING_FIELDS) {
    const v = meta[f];
    if (v !== undefined && v !== null && typeof v !== 'string') return fieldErr(v, f, f.endsWith('Timestamp') ? 'v1.Time' : 'string');
  }
  for (const f of INT_FIELDS) {
    const v = meta[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number') return fieldErr(v, f, 'int64');
    if (!Number.isInteger(v)) return `json: cannot unmarshal number ${v} into Go struct field ObjectMeta.${f} of type int64`;
  }
  for (const f of MAP_FIELDS) {
    const v = meta[f];
    if (v === undefined || v === null) continue;
    if (!isMap(v)) return fieldErr(v, f, 'map[string]string');
    for (const x of Object.values(v)) if (x !== null && typeof x !== 'string') return fieldErr(x, f, 'string');
  }
  const fin = meta.finalizers;
  if (fin !== undefined && fin !== null) {
    if (!Array.isArray(fin)) return fieldErr(fin, 'finalizers', '[]string');
    for (const x of fin) if (x !== null && typeof x !== 'string') return fieldErr(x, 'finalizers', 'string');
  }
  for (const f of ['ownerReferences', 'managedFields']) {
    const v = meta[f];
    if (v !== undefined && v !== null && !Array.isArray(v)) return fieldErr(v, f, f === 'ownerReferences' ? '[]v1.OwnerReference' : '[]v1.ManagedFieldsEntry');
  }
  return undefined;
}
