// The Node.js version check shared by bin/skiff.js and `npm test`. Plain, old-fashioned JavaScript on
// purpose: it must run (and explain itself in one line) on a Node too old for the rest of Skiff.
// Running the sources needs type stripping on by default (22.18); the compiled package needs
// require() of ES modules (22.12) and better-sqlite3's native addon (22).
import { fileURLToPath } from 'node:url';

export var SOURCES_MIN = '22.18.0';
export var COMPILED_MIN = '22.12.0';

function parts(v) {
  return String(v).replace(/^v/, '').split('.').map(function (x) { return parseInt(x, 10) || 0; });
}

/** True when version `found` is at least `min` (both "major.minor.patch", a leading "v" allowed). */
export function atLeast(found, min) {
  var a = parts(found), b = parts(min);
  for (var i = 0; i < 3; i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  }
  return true;
}

/** Exits with status 2 and one line on stderr when this Node is older than `min`. */
export function requireNode(min, what) {
  var found = process.versions.node;
  if (atLeast(found, min)) return;
  process.stderr.write('skiff: ' + (what || 'Skiff') + ' needs Node.js >= ' + min + ', found ' + found + '\n');
  process.exit(2);
}

// `node bin/node-version.js` (the first step of `npm test`): the sources' minimum.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) requireNode(SOURCES_MIN, 'running the TypeScript sources');
