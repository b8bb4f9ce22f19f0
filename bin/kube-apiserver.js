#!/usr/bin/env -S node --max-semi-space-size=16
// Skiff's stand-in for kube-apiserver under controller-runtime's envtest (see src/envtest/kube-apiserver.ts).
// `skiff envtest-assets DIR` writes DIR/kube-apiserver, a script that runs this file.
import { launch } from './launch.js';

await launch('envtest/kube-apiserver');
