/**
 * @module version
 * The helper's version, as published in the OpenAPI document.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Read from the package manifest, so a release changes it in one place. */
export const HELPER_VERSION: string = (require('../package.json') as { version: string }).version;
