// Entry point for `node src/cli.ts`. Node's compile cache keeps the stripped TypeScript and V8 code
// between runs (halving start-up); it must be switched on before the rest of Skiff is imported.
// bin/skiff.js (what `npm start` and `npx skiff` run) does the same without the cost of stripping
// this file's TypeScript first.
import module from 'node:module';

module.enableCompileCache?.();
await import('./cli-main.ts');
