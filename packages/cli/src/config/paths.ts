/**
 * @module config/paths
 * Where the CLI keeps its files: `$MLAAS_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mlaas`, else `~/.config/mlaas`.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Environment variables, as `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Name of the settings file in the config directory. */
export const CONFIG_FILE = 'config.json';
/** Name of the plain-file token store in the config directory. */
export const CREDENTIALS_FILE = 'credentials.json';

/**
 * The configuration directory for an environment.
 *
 * @example
 * ```ts
 * resolveConfigDir({ XDG_CONFIG_HOME: '/home/me/.config' }); // '/home/me/.config/mlaas'
 * ```
 */
export function resolveConfigDir(env: Env, home: () => string = homedir): string {
  const explicit = env.MLAAS_CONFIG_DIR?.trim();
  if (explicit) return resolve(explicit);
  const xdg = env.XDG_CONFIG_HOME?.trim();
  // The XDG spec says relative values are invalid and must be ignored.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'mlaas');
  return join(home(), '.config', 'mlaas');
}

/**
 * Creates the configuration directory (0700), and tightens an existing one others can read or enter: it
 * holds tokens and the lock of the token refresh.
 * @example ensurePrivateDir(resolveConfigDir(process.env));
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const { mode, uid } = statSync(dir);
  // Only the owner can change the mode; someone else's directory is left as it is.
  if ((mode & 0o077) !== 0 && uid === process.getuid?.()) chmodSync(dir, mode & 0o700);
}
