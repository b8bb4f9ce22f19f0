// Pure validators returning FieldError[] with upstream's field paths and messages.
export * from './names.ts';
export * from './common.ts';
export * from './meta.ts';
export * from './selector.ts';
export * from './net.ts';
export * from './quantity.ts';
