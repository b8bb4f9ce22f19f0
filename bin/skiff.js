#!/usr/bin/env node
// Entry point for `npx skiff` and `npm start`: Node >= 22.18 runs the TypeScript sources directly.
// This file is plain JavaScript so that Node's compile cache (which keeps the stripped TypeScript and
// V8 code between runs) is on before the first .ts file loads: with a .ts entry, Node must load its
// TypeScript stripper (amaro, ~100 ms) just for the entry file, on every start.
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/cli-main.ts');
