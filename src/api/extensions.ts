// The seams where larger features plug into the HTTP layer: tables, patching, body decoding with
// field validation, subresources and virtual (non-stored) kinds. buildApp fills in each one.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from '../registry/resources.ts';
import type { Store } from '../registry/store.ts';
import type { KObject } from '../registry/strategy.ts';

export interface SubresourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: { verb: string; resource: ResourceInfo; namespace?: string; name: string; subresource: string };
  query: URLSearchParams;
  store: Store;
  ext: Extensions;
}
export type SubresourceHandler = (r: SubresourceRequest) => Promise<void>;

export interface PatchOptions { fieldManager?: string; force?: boolean; subresource?: string }

export interface TableOptions { includeObject?: string; resourceVersion?: string; continue?: string; remainingItemCount?: number }

export interface Extensions {
  toTable(r: ResourceInfo, items: KObject[], opts: TableOptions): object;
  tableContentType: string;
  /** Media types accepted for PATCH, in the order they are advertised. */
  patchTypes: string[];
  /**
   * Apply a patch body of media type `contentType` to `original` (a private copy the function may
   * change) for the given kind. `original` is undefined when the object does not exist (apply creates).
   */
  applyPatch(contentType: string, original: KObject | undefined, body: Buffer, gvk: { group: string; version: string; kind: string }, opts: PatchOptions): KObject;
  /** Decode a create/update body, applying fieldValidation (may set Warning headers on res). */
  decodeBody(body: Buffer, contentType: string | undefined, r: ResourceInfo, q: URLSearchParams, res: ServerResponse): unknown;
  /** `${group}/${resource}/${subresource}` or `*\/${subresource}` → handler. */
  subresources: Map<string, SubresourceHandler>;
  /** `${group}/${Kind}` → create handler for kinds that are requests (reviews), not stored objects. */
  virtualCreate: Map<string, (body: Record<string, any>, ctx: { req: IncomingMessage; namespace?: string }) => Promise<object>>;
}
