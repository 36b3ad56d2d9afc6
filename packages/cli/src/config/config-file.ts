/**
 * @module config/config-file
 * Reads `config.json`: named profiles, each a set of settings keyed by their flag names.
 *
 * ```json
 * { "profiles": { "work": { "keycloak-url": "https://sso.example.org", "mlaas-helper-url": "https://mlaas.example.org" } } }
 * ```
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MlaasError } from '../lib/errors.js';
import { CONFIG_FILE } from './paths.js';

/** Settings a profile may set, by flag name. */
export const PROFILE_KEYS = [
  'keycloak-url',
  'keycloak-realm',
  'keycloak-client-id',
  'mlaas-helper-url',
  'ca-file',
  'allow-insecure-http',
  'token-store',
] as const;
/** One of {@link PROFILE_KEYS}. */
export type ProfileKey = (typeof PROFILE_KEYS)[number];
/** A profile's settings, as written in the file. */
export type ProfileSettings = Partial<Record<ProfileKey, string | boolean>>;

/** The parsed file. */
export interface ConfigFile {
  path: string;
  /** Profile used when neither `--profile` nor `MLAAS_PROFILE` names one. */
  defaultProfile: string | undefined;
  profiles: Record<string, ProfileSettings>;
}

/**
 * Reads the config file of a config directory; a missing file is an empty configuration.
 * @throws MlaasError INVALID_SETTING when the file is not valid JSON or has unknown keys.
 *
 * @example
 * ```ts
 * const file = readConfigFile('/home/me/.config/mlaas');
 * const work = file.profiles.work ?? {};
 * ```
 */
export function readConfigFile(configDir: string): ConfigFile {
  const path = join(configDir, CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { path, defaultProfile: undefined, profiles: {} };
    throw new MlaasError('INVALID_SETTING', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new MlaasError('INVALID_SETTING', `${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return { path, ...checkShape(parsed, path) };
}

function checkShape(value: unknown, path: string): Omit<ConfigFile, 'path'> {
  const fail = (problem: string) => new MlaasError('INVALID_SETTING', `${path}: ${problem}`);
  if (!isRecord(value)) throw fail('must contain a JSON object');
  const unknownTop = Object.keys(value).filter((key) => key !== 'profiles' && key !== 'default-profile');
  if (unknownTop.length > 0) throw fail(`unknown key "${unknownTop[0]}" (expected "profiles" and "default-profile")`);
  const defaultProfile = value['default-profile'];
  if (defaultProfile !== undefined && typeof defaultProfile !== 'string')
    throw fail('"default-profile" must be a string');
  const profiles: Record<string, ProfileSettings> = {};
  const given = value.profiles ?? {};
  if (!isRecord(given)) throw fail('"profiles" must be an object of profiles');
  for (const [name, settings] of Object.entries(given)) {
    if (!isRecord(settings)) throw fail(`profile "${name}" must be an object`);
    const profile: ProfileSettings = {};
    for (const [key, setting] of Object.entries(settings)) {
      if (!(PROFILE_KEYS as readonly string[]).includes(key)) {
        throw fail(`profile "${name}": unknown setting "${key}" (known: ${PROFILE_KEYS.join(', ')})`);
      }
      if (typeof setting !== 'string' && typeof setting !== 'boolean')
        throw fail(`profile "${name}": "${key}" must be a string`);
      profile[key as ProfileKey] = setting;
    }
    profiles[name] = profile;
  }
  return { defaultProfile, profiles };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
