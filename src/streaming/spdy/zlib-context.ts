// One zlib stream per direction for the life of a SPDY connection, seeded with the SPDY/3
// dictionary; every header block ends with a Z_SYNC_FLUSH so the peer can decode it at once.
// Calls are serialised: a block's output must not interleave with the next one's.
import { constants, createDeflate, createInflate } from 'node:zlib';
import type { Deflate, Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.ts';
import { GoAwayCode, MAX_HEADER_BLOCK, SpdyProtocolError } from './frames.ts';

class Context {
  private readonly z: Deflate | Inflate;
  private queue: Promise<unknown> = Promise.resolve();
  private failed: Error | undefined;
  private readonly limit: number;
  constructor(z: Deflate | Inflate, limit: number) {
    this.z = z; this.limit = limit;
    z.on('error', (e) => { this.failed = e; });
  }
  /** Feed one block through the shared context and return exactly its flushed output. */
  run(input: Buffer): Promise<Buffer> {
    const p = this.queue.then(() => new Promise<Buffer>((resolve, reject) => {
      if (this.failed) { reject(this.failed); return; }
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (c: Buffer) => { size += c.length; if (size <= this.limit) chunks.push(c); };
      const onError = (e: Error) => { cleanup(); reject(e); };
      const cleanup = () => { this.z.off('data', onData); this.z.off('error', onError); };
      this.z.on('data', onData);
      this.z.once('error', onError);
      this.z.write(input);
      this.z.flush(constants.Z_SYNC_FLUSH, () => {
        cleanup();
        if (this.failed) { reject(this.failed); return; }
        if (size > this.limit) { this.failed = new Error('header block too large'); reject(this.failed); return; }
        resolve(Buffer.concat(chunks));
      });
    }));
    this.queue = p.catch(() => {});
    return p;
  }
  close(): void { this.z.close(); }
}

export class HeaderCompressor {
  private readonly ctx = new Context(createDeflate({ dictionary: SPDY3_DICTIONARY }), Number.MAX_SAFE_INTEGER);
  compress(block: Buffer): Promise<Buffer> { return this.ctx.run(block); }
  close(): void { this.ctx.close(); }
}

export class HeaderDecompressor {
  private readonly ctx = new Context(createInflate({ dictionary: SPDY3_DICTIONARY }), MAX_HEADER_BLOCK);
  /** Any failure (corrupt zlib data, oversized block) is a connection error: the shared context is gone. */
  async decompress(block: Buffer): Promise<Buffer> {
    try { return await this.ctx.run(block); } catch (e) {
      throw new SpdyProtocolError(`cannot decompress header block: ${(e as Error).message}`, GoAwayCode.ProtocolError);
    }
  }
  close(): void { this.ctx.close(); }
}
