// The one schema shape Skiff knows: OpenAPI v3 as apiextensions.k8s.io/v1 JSONSchemaProps writes it.
// Built-in kinds get theirs from upstream's OpenAPI v3 definitions (src/schema/builtin.ts), custom
// resources from their CRD's `openAPIV3Schema`; every write of every kind goes through the same
// engine (pruning, type checks, defaulting, value validation, CEL rules) in this folder.

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface StructuralSchema {
  type?: SchemaType;
  format?: string;
  description?: string;
  title?: string;
  properties?: Record<string, StructuralSchema>;
  /** A schema for map values, or `true` (any value) / `false` (none). */
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  required?: string[];
  nullable?: boolean;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  allOf?: StructuralSchema[];
  anyOf?: StructuralSchema[];
  oneOf?: StructuralSchema[];
  not?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: ValidationRule[];
  /**
   * Internal (built-in kinds only, never served): the Go type of this node as encoding/json names it in
   * errors (`string`, `int32`, `[]v1.Container`, `v1.ObjectMeta`), and for struct nodes the struct's
   * name (`ObjectMeta`). Set by src/schema/builtin.ts; custom resources leave them unset.
   */
  goType?: string;
  goStruct?: string;
  /** Internal: an apimachinery type with its own JSON form, checked and normalised as upstream does. */
  special?: SpecialType;
}

/** apimachinery types that serialise themselves (UnmarshalJSON/MarshalJSON) rather than as plain JSON types. */
export type SpecialType = 'Quantity' | 'IntOrString' | 'Time' | 'MicroTime' | 'Duration' | 'RawExtension' | 'FieldsV1';

/** How unknown fields are treated on a write (the `fieldValidation` query parameter). */
export type FieldValidationMode = 'Ignore' | 'Warn' | 'Strict';
