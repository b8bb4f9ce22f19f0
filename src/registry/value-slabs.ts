// Stored values of kinds that are written once and read rarely (core Events: about 700 bytes each,
// tens of thousands at scale) are laid out side by side in shared 64 KiB slabs instead of each in an
// ArrayBuffer of its own, which saves the ArrayBuffer object and its native backing-store record
// (about 250 bytes a value, measured on Node 24). A slab is freed when its last value is gone; these
// values live about as long as each other (an Event's TTL runs from its last write) and die in the order
// they were written, so slabs empty roughly whole. Other kinds keep exact-size buffers of their own
// (see codec.encode): their values are superseded at different times and would pin slabs.

const SLAB_BYTES = 64 * 1024;
/** Larger values get a buffer of their own: a slab should hold many. */
const MAX_PACKED = 4 * 1024;

let slab: Buffer | undefined;
let used = 0;

/** `text` as UTF-8 in a view of the current slab (or its own buffer when large). Never mutate it. */
export function packedBytes(text: string): Buffer {
  const n = Buffer.byteLength(text);
  if (n > MAX_PACKED) {
    const own = Buffer.allocUnsafeSlow(n);
    own.write(text);
    return own;
  }
  if (!slab || used + n > slab.length) { slab = Buffer.allocUnsafeSlow(SLAB_BYTES); used = 0; }
  const b = slab.subarray(used, used + n);
  b.write(text);
  used += n;
  return b;
}
