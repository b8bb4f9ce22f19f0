// Types for bin/bundle.js (plain JavaScript; see there).
export const ROOT: string;
export const CACHE_DIR: string;
export const MANIFEST: string;
export const LOCK: string;
export function currentBundle(): { entry: string | undefined } | undefined;
export function rebuild(): void;
