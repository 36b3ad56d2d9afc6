/**
 * @module seed/load-seed
 * Reading seeds from JSON files, and the default seed shipped with the package (three ML products, one per
 * authentication mode, and two developer accounts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Fake3scaleError } from '../errors.js';
import type { Seed } from './seed-types.js';
import { validateSeed } from './validate-seed.js';

/** The default seed file. Two levels up from this module is the package root, from `src/seed/` and `dist/seed/` alike. */
export const DEFAULT_SEED_PATH = fileURLToPath(new URL('../../seed/default-seed.json', import.meta.url));

/** A second shipped seed with the awkward cases: no default plan, hidden/custom/approval plans, odd parameter names. */
export const EDGE_CASES_SEED_PATH = fileURLToPath(new URL('../../seed/edge-cases-seed.json', import.meta.url));

/**
 * Reads and checks a seed file; throws `Fake3scaleError('ERR_SEED_INVALID')` when it cannot be read,
 * is not JSON, or describes an invalid tenant.
 * @example const seed = loadSeedFile('test/fixtures/tenant.json');
 */
export function loadSeedFile(path: string): Seed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Fake3scaleError('ERR_SEED_INVALID', `cannot read seed file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Fake3scaleError('ERR_SEED_INVALID', `seed file ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return validateSeed(parsed, path);
}

/**
 * The default seed (a fresh copy each call).
 * @example const fake = createFake3scale({ seed: { ...defaultSeed(), generated_services: 20 } });
 */
export function defaultSeed(): Seed {
  return loadSeedFile(DEFAULT_SEED_PATH);
}
