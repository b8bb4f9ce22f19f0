#!/usr/bin/env node
// Entry point for `npx skiff`: Node >= 22.18 runs the TypeScript sources directly.
import '../src/cli.ts';
