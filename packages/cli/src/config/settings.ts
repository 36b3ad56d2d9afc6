/**
 * @module config/settings
 * The effective settings and where each came from. Precedence: flag > `MLAAS_*` environment variable >
 * the profile in `config.json` > the default baked in at build time.
 */
import { MlaasError } from '../lib/errors.js';
import { readConfigFile, type ProfileKey, type ProfileSettings } from './config-file.js';
import { BAKED_DEFAULTS, DEFAULT_PROFILE } from './defaults.js';
import { resolveConfigDir, type Env } from './paths.js';

/** Where a setting's value came from. */
export type SettingSource = 'flag' | 'env' | 'profile' | 'default';

/** A setting's value with its origin, e.g. `--keycloak-url` or `MLAAS_HELPER_URL`. */
export interface Setting<T> {
  value: T;
  source: SettingSource;
  /** The flag, variable, file or default the value was read from. */
  origin: string;
}

/** Where tokens are kept: `auto` tries the OS keyring and falls back to a file. */
export type TokenStoreKind = 'auto' | 'file' | 'keyring';

/** Settings given on the command line (all optional). */
export interface SettingFlags {
  profile?: string | undefined;
  keycloakUrl?: string | undefined;
  keycloakRealm?: string | undefined;
  keycloakClientId?: string | undefined;
  helperUrl?: string | undefined;
  caFile?: string | undefined;
  allowInsecureHttp?: boolean | undefined;
}

/** Everything a command needs to know about where to connect and where to keep tokens. */
export interface Settings {
  configDir: string;
  profile: Setting<string>;
  keycloakUrl: Setting<string>;
  keycloakRealm: Setting<string>;
  keycloakClientId: Setting<string>;
  helperUrl: Setting<string>;
  caFile: Setting<string | null>;
  allowInsecureHttp: Setting<boolean>;
  tokenStore: Setting<TokenStoreKind>;
  /** `${keycloakUrl}/realms/${keycloakRealm}`. */
  issuer: string;
}

/** Options of {@link resolveSettings}. */
export interface ResolveSettingsOptions {
  flags?: SettingFlags;
  env?: Env;
  /** Overrides the directory derived from the environment. */
  configDir?: string;
}

interface Definition<K extends keyof SettingFlags | 'tokenStore', T> {
  key: K;
  flag: ProfileKey;
  env: string;
  fallback: T;
  parse: (raw: string | boolean, origin: string) => T;
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Resolves the effective settings.
 * @throws MlaasError INVALID_SETTING for a malformed value, naming where it came from.
 *
 * @example
 * ```ts
 * const settings = resolveSettings({ flags: { helperUrl: 'https://mlaas.example.org' }, env: process.env });
 * settings.helperUrl; // { value: 'https://mlaas.example.org', source: 'flag', origin: '--mlaas-helper-url' }
 * ```
 */
export function resolveSettings(options: ResolveSettingsOptions = {}): Settings {
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const configDir = options.configDir ?? resolveConfigDir(env);
  const file = readConfigFile(configDir);

  const profile = pickProfile(flags.profile, env.MLAAS_PROFILE, file.defaultProfile, file.path);
  assertKnownProfile(profile, Object.keys(file.profiles), file.path);
  const profileSettings: ProfileSettings = file.profiles[profile.value] ?? {};
  const profileOrigin = `${file.path} (profile "${profile.value}")`;

  function pick<K extends keyof SettingFlags | 'tokenStore', T>(definition: Definition<K, T>): Setting<T> {
    const fromFlag = definition.key === 'tokenStore' ? undefined : flags[definition.key as keyof SettingFlags];
    if (fromFlag !== undefined && fromFlag !== '') {
      const origin = `--${definition.flag}`;
      return { value: definition.parse(fromFlag, origin), source: 'flag', origin };
    }
    const fromEnv = env[definition.env];
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      return { value: definition.parse(fromEnv.trim(), definition.env), source: 'env', origin: definition.env };
    }
    const fromProfile = profileSettings[definition.flag];
    if (fromProfile !== undefined && fromProfile !== '') {
      return { value: definition.parse(fromProfile, profileOrigin), source: 'profile', origin: profileOrigin };
    }
    return { value: definition.fallback, source: 'default', origin: 'built-in default' };
  }

  const keycloakUrl = pick({
    key: 'keycloakUrl',
    flag: 'keycloak-url',
    env: 'MLAAS_KEYCLOAK_URL',
    fallback: BAKED_DEFAULTS.keycloakUrl,
    parse: parseUrl,
  });
  const keycloakRealm = pick({
    key: 'keycloakRealm',
    flag: 'keycloak-realm',
    env: 'MLAAS_KEYCLOAK_REALM',
    fallback: BAKED_DEFAULTS.keycloakRealm,
    parse: parseName,
  });
  const keycloakClientId = pick({
    key: 'keycloakClientId',
    flag: 'keycloak-client-id',
    env: 'MLAAS_KEYCLOAK_CLIENT_ID',
    fallback: BAKED_DEFAULTS.keycloakClientId,
    parse: parseName,
  });
  const helperUrl = pick({
    key: 'helperUrl',
    flag: 'mlaas-helper-url',
    env: 'MLAAS_HELPER_URL',
    fallback: BAKED_DEFAULTS.helperUrl,
    parse: parseUrl,
  });
  const caFile = pick<'caFile', string | null>({
    key: 'caFile',
    flag: 'ca-file',
    env: 'MLAAS_CA_FILE',
    fallback: null,
    parse: parseText,
  });
  const allowInsecureHttp = pick({
    key: 'allowInsecureHttp',
    flag: 'allow-insecure-http',
    env: 'MLAAS_ALLOW_INSECURE_HTTP',
    fallback: false,
    parse: parseBoolean,
  });
  const tokenStore = pick({
    key: 'tokenStore',
    flag: 'token-store',
    env: 'MLAAS_TOKEN_STORE',
    fallback: 'auto' as TokenStoreKind,
    parse: parseStoreKind,
  });

  return {
    configDir,
    profile,
    keycloakUrl,
    keycloakRealm,
    keycloakClientId,
    helperUrl,
    caFile,
    allowInsecureHttp,
    tokenStore,
    issuer: `${keycloakUrl.value}/realms/${encodeURIComponent(keycloakRealm.value)}`,
  };
}

function pickProfile(
  flag: string | undefined,
  env: string | undefined,
  fromFile: string | undefined,
  filePath: string,
): Setting<string> {
  const [value, source, origin]: [string, SettingSource, string] =
    flag !== undefined && flag !== ''
      ? [flag, 'flag', '--profile']
      : env !== undefined && env.trim() !== ''
        ? [env.trim(), 'env', 'MLAAS_PROFILE']
        : fromFile !== undefined
          ? [fromFile, 'profile', `${filePath} ("default-profile")`]
          : [DEFAULT_PROFILE, 'default', 'built-in default'];
  if (!PROFILE_NAME.test(value)) {
    throw new MlaasError(
      'INVALID_SETTING',
      `${origin}: "${value}" is not a valid profile name (letters, digits, ".", "_", "-")`,
    );
  }
  return { value, source, origin };
}

/**
 * A profile named on the command line or in MLAAS_PROFILE must exist: a typo would otherwise run silently
 * with the built-in defaults, against another server.
 */
function assertKnownProfile(profile: Setting<string>, defined: readonly string[], filePath: string): void {
  if (profile.source !== 'flag' && profile.source !== 'env') return;
  if (profile.value === DEFAULT_PROFILE || defined.includes(profile.value)) return;
  const known = [...new Set([DEFAULT_PROFILE, ...defined])].map((name) => `"${name}"`).join(', ');
  throw new MlaasError('INVALID_SETTING', `${profile.origin}: unknown profile "${profile.value}" (known: ${known})`, {
    hint: `Define it under "profiles" in ${filePath}, or use one of the known profiles.`,
  });
}

function parseUrl(raw: string | boolean, origin: string): string {
  const text = String(raw).trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MlaasError('INVALID_SETTING', `${origin}: "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new MlaasError('INVALID_SETTING', `${origin}: only http and https URLs are supported`);
  if (url.username !== '' || url.password !== '')
    throw new MlaasError('INVALID_SETTING', `${origin}: must not contain credentials`);
  if (url.search !== '' || url.hash !== '')
    throw new MlaasError('INVALID_SETTING', `${origin}: must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

function parseName(raw: string | boolean, origin: string): string {
  const text = String(raw).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/.test(text))
    throw new MlaasError('INVALID_SETTING', `${origin}: "${text}" is not a valid name`);
  return text;
}

function parseText(raw: string | boolean, origin: string): string {
  if (typeof raw !== 'string') throw new MlaasError('INVALID_SETTING', `${origin}: must be a path`);
  return raw;
}

function parseBoolean(raw: string | boolean, origin: string): boolean {
  if (typeof raw === 'boolean') return raw;
  const text = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new MlaasError('INVALID_SETTING', `${origin}: "${raw}" is not true or false`);
}

function parseStoreKind(raw: string | boolean, origin: string): TokenStoreKind {
  if (raw === 'auto' || raw === 'file' || raw === 'keyring') return raw;
  throw new MlaasError('INVALID_SETTING', `${origin}: "${String(raw)}" must be auto, file or keyring`);
}
