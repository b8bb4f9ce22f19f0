// HTTP details of custom resources: JSON (and YAML) only, as upstream serves them (a protobuf body is
// refused with 415, an Accept that allows nothing but protobuf with 406), and deprecation warnings.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../errors.ts';
import type { ResourceInfo } from '../registry/resources.ts';
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
