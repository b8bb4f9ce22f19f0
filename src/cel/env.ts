// The CEL environments: one library set (Kubernetes' CEL libraries on top of cel-js's standard
// functions and macros), a shared runtime environment where `self`/`oldSelf` are dynamic, and a
// per-schema checking environment (compile.ts, types.ts) where they carry the schema's types.
import { Environment } from '@marcbachmann/cel-js';
import { registerLists } from './library/lists.ts';
import { registerStrings } from './library/strings.ts';
import { registerRegex } from './library/regex.ts';
import { registerQuantity } from './library/quantity.ts';
import { registerIP } from './library/ip.ts';
import { registerURLs } from './library/urls.ts';
import { registerFormat } from './library/format.ts';

/** Parse-time limits: upstream caps nesting and expression size; cel-js enforces these. */
const LIMITS = { maxAstNodes: 100000, maxDepth: 250, maxListElements: 100000, maxMapEntries: 100000, maxCallArguments: 32 };

/** A fresh environment with every library registered (then add variables and types). */
export function libraryEnv(): Environment {
  const env = new Environment({ enableOptionalTypes: true, limits: LIMITS });
  registerLists(env);
  registerStrings(env);
  registerRegex(env);
  registerQuantity(env);
  registerIP(env);
  registerURLs(env);
  registerFormat(env);
  return env;
}

/** Runtime environment for rules: self and oldSelf hold converted values of any type. */
export const runtimeEnv = libraryEnv().registerVariable('self', 'dyn').registerVariable('oldSelf', 'dyn');
/** Runtime environment for `optionalOldSelf` rules: oldSelf is an optional. */
export const runtimeOptionalEnv = libraryEnv().registerVariable('self', 'dyn').registerVariable('oldSelf', 'optional<dyn>');

const sample = runtimeEnv.evaluate('duration("1s")') as object;
/** cel-js's duration class (not exported by name), for converting `format: duration` strings. */
export const DurationCtor = sample.constructor as new (seconds: bigint, nanos: number) => object;
