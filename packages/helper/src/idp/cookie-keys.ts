/**
 * @module idp/cookie-keys
 * Keys that sign the embedded issuer's session and interaction cookies, kept in the data directory so a
 * restart does not sign everybody out of the browser.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { HelperError } from '../errors/helper-error.js';
import { createPrivateFileOnce, parseJsonFile, readPrivateFile } from '../lib/private-file.js';

/** Name of the cookie key file in the data directory. */
export const COOKIE_KEYS_FILE = 'idp-cookie-keys.json';
/** Bytes of randomness per cookie key. */
const COOKIE_KEY_BYTES = 32;

/**
 * The cookie signing keys (newest first), creating one when the file is missing.
 * @example new Provider(issuer, { cookies: { keys: loadOrCreateCookieKeys(dataDir) } });
 */
export function loadOrCreateCookieKeys(dataDir: string): string[] {
  const path = join(dataDir, COOKIE_KEYS_FILE);
  const existing = read(path);
  if (existing !== null) return existing;
  const keys = [randomBytes(COOKIE_KEY_BYTES).toString('base64url')];
  // Two helpers starting on one data directory agree on the key: the first file written wins.
  createPrivateFileOnce(path, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`, 'cookie key');
  return read(path) ?? keys;
}

function read(path: string): string[] | null {
  const text = readPrivateFile(path, 'cookie key');
  if (text === null) return null;
  const parsed = parseJsonFile(text, path, 'cookie key') as { keys?: unknown };
  const keys = parsed?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string' && k.length >= 32)) {
    throw new HelperError(
      'CONFIG_ERROR',
      `the cookie key file ${path} must list at least one key of 32 or more characters`,
    );
  }
  return keys as string[];
}
