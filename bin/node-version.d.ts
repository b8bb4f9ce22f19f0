// Types of node-version.js (plain JavaScript so that it runs on any Node).
export declare const SOURCES_MIN: string;
export declare const COMPILED_MIN: string;
export declare function atLeast(found: string, min: string): boolean;
export declare function requireNode(min: string, what?: string): void;
