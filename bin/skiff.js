#!/usr/bin/env -S node --max-semi-space-size=16
// Entry point for `npx skiff` and `npm start`: Node >= 22.18 runs the TypeScript sources directly.
// This file is plain JavaScript so that Node's compile cache (which keeps the stripped TypeScript and
// V8 code between runs) is on before the first .ts file loads: with a .ts entry, Node must load its
// TypeScript stripper (amaro, ~100 ms) just for the entry file, on every start.
// --max-semi-space-size=16 (also in package.json's start script and the Dockerfile) caps V8's young
// generation at 2 x 16 MiB: left alone, V8 grows it to 2 x 64 MiB under a burst of writes and keeps
// those pages resident afterwards (~100 MB of RSS at 10,000 pods; see bench/memory.ts).
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/cli-main.ts');
