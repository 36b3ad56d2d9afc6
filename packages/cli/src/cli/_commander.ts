/**
 * @module cli/_commander
 * commander, loaded with `require()`: importing a CommonJS package through the ESM loader costs several
 * milliseconds more at every start (its exports are scanned first). The single-file binary's bundler
 * replaces this module with a plain static import (scripts/build-binary.mjs).
 */
import { createRequire } from 'node:module';
import type * as Commander from 'commander';

/** The commander module. */
export const commander = createRequire(import.meta.url)('commander') as typeof Commander;
