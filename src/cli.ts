// Entry point. Node's compile cache keeps the stripped TypeScript and V8 code between runs
// (halving start-up); it must be switched on before the rest of Skiff is imported.
import module from 'node:module';

module.enableCompileCache?.();
await import('./cli-main.ts');
