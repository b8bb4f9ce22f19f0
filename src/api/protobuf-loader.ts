// Protobuf (application/vnd.kubernetes.protobuf) for bodies, responses and watch frames is loaded on
// the first request that names it (Accept or Content-Type), or in the background once the server is
// ready, instead of at start-up: the codec, its schema and @bufbuild/protobuf cost ~40–80 ms to import.
import type { IncomingMessage } from 'node:http';
import { setProtobufDecoder } from './body.ts';
import { setProtobufEncoder, setProtobufListEncoder } from './respond.ts';
import { setWatchFrameEncoder } from './watch.ts';

let loading: Promise<void> | undefined;
let loaded = false;

export function loadProtobuf(): Promise<void> {
  return (loading ??= import('../protobuf/index.ts').then((pb) => {
    setProtobufDecoder(pb.decodeEnvelope);
    setProtobufEncoder(pb.encodeEnvelope);
    setProtobufListEncoder(pb.encodeListEnvelope);
    setWatchFrameEncoder(pb.encodeWatchEvent);
    loaded = true;
  }));
}

/** Resolve once protobuf is available if this request may need it (undefined: nothing to wait for). */
export function protobufFor(req: IncomingMessage): Promise<void> | undefined {
  if (loaded) return undefined;
  const { accept, 'content-type': type } = req.headers;
  return (accept?.includes('protobuf') || type?.includes('protobuf')) ? loadProtobuf() : undefined;
}
