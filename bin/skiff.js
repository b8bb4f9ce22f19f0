#!/usr/bin/env -S node --max-semi-space-size=16 --min-semi-space-size=16
// Entry point for `npx skiff` and `npm start` (see launch.js for how sources or compiled code are chosen).
// --max-semi-space-size=16 (also in package.json's start script and the Dockerfile) caps V8's young
// generation at 2 x 16 MiB: left alone, V8 grows it to 2 x 64 MiB under a burst of writes and keeps
// those pages resident afterwards (~100 MB of RSS at 10,000 pods; see bench/memory.ts).
// --min-semi-space-size=16 starts it at that maximum instead of 2 x 1 MiB: what start-up allocates
// before ready took six or seven scavenges at 1 MiB, one at 8 MiB (~3 ms of a ~105 ms start)
// and none now (~13 MB more RSS when idle than at 1 MiB, none under load, where it grows to the
// maximum anyway).
import { launch } from './launch.js';

await launch('cli-main');
