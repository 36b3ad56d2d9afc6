/**
 * @module idp/password-hash
 * Password hashes for the embedded issuer's users: scrypt with a per-user salt, its cost parameters stored
 * with the hash (`scrypt$N$r$p$salt$hash`, base64url) so they can be raised later without breaking old hashes.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cost parameters of new hashes: N = 2^15, r = 8, p = 1 (32 MiB, tens of milliseconds). */
export const DEFAULT_SCRYPT_PARAMS = { N: 32_768, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Upper bounds accepted when reading a hash, so a crafted users file cannot exhaust memory. */
const MAX_N = 1_048_576;
const MAX_R = 32;
const MAX_P = 16;
const HASH_FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, length: number, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    maxmem: 256 * params.N * params.r + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Hashes a password with a fresh random salt.
 * @example const hash = await hashPassword('correct horse'); // 'scrypt$32768$8$1$...$...'
 */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** Whether a string is a password hash this module can verify. */
export function isPasswordHash(value: unknown): value is string {
  const match = typeof value === 'string' ? HASH_FORMAT.exec(value) : null;
  if (match === null) return false;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return N >= 2 && (N & (N - 1)) === 0 && N <= MAX_N && r >= 1 && r <= MAX_R && p >= 1 && p <= MAX_P;
}

/**
 * Checks a password against a hash in constant time; false for a malformed hash.
 * @example if (await verifyPassword(input, user.passwordHash)) { ... }
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (!isPasswordHash(stored)) return false;
  const [, N, r, p, salt, hash] = HASH_FORMAT.exec(stored) as RegExpExecArray;
  const expected = Buffer.from(hash as string, 'base64url');
  const actual = await derive(password, Buffer.from(salt as string, 'base64url'), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}
