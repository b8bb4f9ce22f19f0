// Types for bin/bundle.js (plain JavaScript; see there).
export const ROOT: string;
export const CACHE_DIR: string;
export function sourcesKey(): string;
export function bundleDir(key: string): string;
export function currentBundle(): { key: string; entry: string | undefined } | undefined;
export function rebuild(key: string): void;
