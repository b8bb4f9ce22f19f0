// HTTP details of custom resources: JSON (and YAML) only, as upstream serves them (a protobuf body is
// refused with 415, an Accept that allows nothing but protobuf with 406), deprecation warnings, and
// watches that end when their CRD goes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
import type { ResourceTable } from '../registry/resource-table.ts';
import { mediaType } from './body.ts';
import { PROTOBUF_TYPE } from './negotiate.ts';

/** Whether responses about `r` may be protobuf (never for custom resources). */
export function protobufAllowed(r: ResourceInfo, encoderLoaded: boolean): boolean {
  return encoderLoaded && !r.custom;
}

/** 415 for a protobuf request body sent to a custom resource. */
export function refuseProtobufBody(r: ResourceInfo, req: IncomingMessage): void {
  if (!r.custom || mediaType(req.headers['content-type']) !== PROTOBUF_TYPE) return;
  throw new StatusError(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${JSON.stringify(req.headers['content-type'])})`);
}

/**
 * The Warning header of a request to a deprecated CRD version: its deprecationWarning, or upstream's
 * default `<group>/<version> <Kind> is deprecated`.
 */
export function deprecationWarning(r: ResourceInfo, res: ServerResponse): void {
  const v = r.custom?.version;
  if (!v?.deprecated) return;
  const msg = v.deprecationWarning ?? `${r.group}/${r.version} ${r.kind} is deprecated`;
  res.appendHeader('Warning', `299 - ${JSON.stringify(msg).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}`);
}

/**
 * A watch of a custom resource ends when its CRD stops being served (deleted, or re-created with
 * another uid), as upstream closes the watches of a removed CRD's storage; clients re-list and see 404.
 */
export function endWatchWhenUnserved(table: ResourceTable, r: ResourceInfo, req: IncomingMessage, res: ServerResponse): void {
  const def = r.custom?.def;
  if (!def) return;
  const check = () => {
    const now = table.custom(def.crdName);
    if (now && now.uid === def.uid && now.versions.get(r.version)?.custom?.version.served) return;
    off();
    if (!res.writableEnded) res.end();
  };
  const off = table.onChange(check);
  req.on('close', off);
  res.on('close', off);
}
