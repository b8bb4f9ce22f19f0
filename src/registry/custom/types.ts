// What the server knows about a resource served from a CustomResourceDefinition: one CustomDef per
// established CRD, shared by the resource-table entries (one per version) it produces.
import type { ResourceInfo } from '../resources.ts';
import type { StructuralSchema } from '../../schema/types.ts';
import type { KObject } from '../strategy.ts';

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority: number;
  jsonPath: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** One version of a CRD as the server uses it. */
export interface CustomVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated: boolean;
  deprecationWarning?: string;
  /** The served structural schema (src/schema crdVersionSchema of spec.versions[].schema.openAPIV3Schema); never mutate it. */
  schema?: StructuralSchema;
  status: boolean;
  scale?: ScaleSubresource;
  printerColumns: PrinterColumn[];
  /** selectableFields[].jsonPath, e.g. ".spec.color". */
  selectableFields: string[];
}

export interface CustomDef {
  /** The CRD's metadata.name (`<plural>.<group>`). */
  crdName: string;
  uid: string;
  group: string;
  namespaced: boolean;
  /** The accepted names (status.acceptedNames), which is what is served. */
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[];
  categories: string[];
  conversion: 'None' | 'Webhook';
  storageVersion: string;
  /** Every version (served or not), by name, in the CRD's order. */
  versions: Map<string, ResourceInfo>;
  /** True once the CRD is being deleted: its objects can be read and deleted, not created. */
  terminating: boolean;
  /** The CRD object this was made from (read-only), for what needs all of it (OpenAPI publishing). */
  crd: KObject;
}

/** The custom part of a resource-table entry. */
export interface CustomInfo {
  def: CustomDef;
  version: CustomVersion;
}
