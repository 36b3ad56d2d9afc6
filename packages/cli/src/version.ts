/**
 * @module version
 * The CLI's version (kept equal to package.json's by a test, so `--version` reads no file).
 */

/**
 * Version of the `mlaas` package.
 * @example
 * ```ts
 * import { CLI_VERSION } from 'mlaas'; // '0.1.0'
 * ```
 */
export const CLI_VERSION = '0.1.0';
