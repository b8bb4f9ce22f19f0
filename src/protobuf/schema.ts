// The protobuf table of the built-in kinds (schema.generated.json, written by scripts/gen-proto.ts),
// read on first use: imported as a module, its ~143 KB were evaluated by every start (~2.5 ms of CPU,
// an object literal in the bundle) although nothing before ready encodes or orders an object. One
// parsed copy serves the wire form (registry/wire-form.ts) and the protobuf codec; decoding needs only
// the kinds (protoKinds).
import { createRequire } from 'node:module';

/** The table's shape (declared here, so that no declaration file refers to the JSON file). */
export interface ProtoSchema {
  comment: string;
  flags: { repeated: number; omitempty: number; pointer: number; inline: number };
  wrappers: string[];
  /** `<apiVersion>/<kind>` → message name. */
  kinds: Record<string, string>;
  /** meta/v1 kinds served in every group version → message name. */
  metaKinds: Record<string, string>;
  /** Message name → its fields: [number, JSON name, type, flags]. */
  messages: Record<string, [number, string, string, number][]>;
}

let schema: ProtoSchema | undefined;

export function protoSchema(): ProtoSchema {
  return schema ??= createRequire(import.meta.url)('./schema.generated.json') as ProtoSchema;
}

export type ProtoKinds = Pick<ProtoSchema, 'kinds' | 'metaKinds'>;
let kinds: ProtoKinds | undefined;

/**
 * The table's kinds alone (kinds.generated.json, ~10 KB, written with it): whether a stored object is
 * of a built-in kind is asked of every object decoded, before ready too, where the messages are not
 * needed. The whole table's, once it is read.
 */
export function protoKinds(): ProtoKinds {
  return schema ?? (kinds ??= createRequire(import.meta.url)('./kinds.generated.json') as ProtoKinds);
}
