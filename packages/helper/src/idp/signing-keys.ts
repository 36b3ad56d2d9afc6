/**
 * @module idp/signing-keys
 * The embedded issuer's token signing keys: RSA key pairs (RS256) kept as a private JWK set in the data
 * directory, so tokens stay valid across restarts. Rotation puts a new active key first and keeps the
 * previous ones published (verifiers select by `kid`) until their tokens have long expired.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { HelperError } from '../errors/helper-error.js';
import { createPrivateFileOnce, parseJsonFile, readPrivateFile, writePrivateFile } from '../lib/private-file.js';

/** Name of the key file in the data directory. */
export const SIGNING_KEYS_FILE = 'idp-signing-keys.json';
/** RSA modulus length of new keys, in bits. */
export const RSA_MODULUS_BITS = 2048;
/** How long a superseded key stays published by default: far longer than any access token lives. */
export const DEFAULT_RETIRED_KEY_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** One key in the file: the private JWK and when it was made and superseded. */
export interface StoredSigningKey {
  jwk: JWK & { kid: string };
  createdAt: string;
  /** When a newer key took over signing; null for the active key. */
  retiredAt: string | null;
}

interface SigningKeyFile {
  version: 1;
  keys: StoredSigningKey[];
}

/**
 * Reads the signing keys of a data directory, creating a first key when there is none. The active key
 * comes first (oidc-provider signs with the first key matching the algorithm).
 * @example const keys = await loadOrCreateSigningKeys('.mlaas-data'); new Provider(issuer, { jwks: { keys: keys.map((k) => k.jwk) } });
 */
export async function loadOrCreateSigningKeys(
  dataDir: string,
  now: () => Date = () => new Date(),
): Promise<StoredSigningKey[]> {
  const path = join(dataDir, SIGNING_KEYS_FILE);
  const existing = readKeyFile(path);
  if (existing !== null && existing.keys.length > 0) return existing.keys;
  const file: SigningKeyFile = { version: 1, keys: [await newSigningKey(now())] };
  const text = `${JSON.stringify(file, null, 2)}\n`;
  // A missing file is created only if still missing, so two helpers starting at once sign with the same key.
  if (existing === null) createPrivateFileOnce(path, text, 'signing key');
  else writePrivateFile(path, text, 'signing key');
  return (readKeyFile(path) ?? file).keys;
}

/**
 * Makes a new active signing key; the previous ones stay published, and keys superseded more than
 * `retentionMs` ago are dropped. A running issuer picks the change up when it restarts.
 * @returns the key ids: the new active one and the ones still published.
 * @example const { activeKid } = await rotateSigningKeys('.mlaas-data');
 */
export async function rotateSigningKeys(
  dataDir: string,
  options: { retentionMs?: number; now?: () => Date } = {},
): Promise<{ activeKid: string; publishedKids: string[]; droppedKids: string[] }> {
  const now = (options.now ?? (() => new Date()))();
  const retentionMs = options.retentionMs ?? DEFAULT_RETIRED_KEY_RETENTION_MS;
  const path = join(dataDir, SIGNING_KEYS_FILE);
  const previous = readKeyFile(path)?.keys ?? [];
  const fresh = await newSigningKey(now);
  const kept: StoredSigningKey[] = [];
  const droppedKids: string[] = [];
  for (const key of previous) {
    const retiredAt = key.retiredAt ?? now.toISOString();
    if (now.getTime() - Date.parse(retiredAt) > retentionMs) droppedKids.push(key.jwk.kid);
    else kept.push({ ...key, retiredAt });
  }
  const file: SigningKeyFile = { version: 1, keys: [fresh, ...kept] };
  writePrivateFile(path, `${JSON.stringify(file, null, 2)}\n`, 'signing key');
  return { activeKid: fresh.jwk.kid, publishedKids: file.keys.map((k) => k.jwk.kid), droppedKids };
}

async function newSigningKey(now: Date): Promise<StoredSigningKey> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: RSA_MODULUS_BITS });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  // RFC 7638 thumbprint as kid: stable, unique per key, reveals nothing.
  const kid = await calculateJwkThumbprint(jwk);
  return { jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' }, createdAt: now.toISOString(), retiredAt: null };
}

function readKeyFile(path: string): SigningKeyFile | null {
  const text = readPrivateFile(path, 'signing key');
  if (text === null) return null;
  const parsed = parseJsonFile(text, path, 'signing key') as Partial<SigningKeyFile>;
  const keys = parsed?.keys;
  if (parsed?.version !== 1 || !Array.isArray(keys) || !keys.every(isStoredKey)) {
    throw new HelperError(
      'CONFIG_ERROR',
      `the signing key file ${path} is not in the expected format (version 1, RSA keys)`,
    );
  }
  return { version: 1, keys };
}

function isStoredKey(value: unknown): value is StoredSigningKey {
  const key = value as StoredSigningKey;
  return (
    typeof key === 'object' &&
    key !== null &&
    typeof key.jwk === 'object' &&
    key.jwk !== null &&
    key.jwk.kty === 'RSA' &&
    typeof key.jwk.d === 'string' &&
    typeof key.jwk.kid === 'string' &&
    typeof key.createdAt === 'string' &&
    (key.retiredAt === null || typeof key.retiredAt === 'string')
  );
}
