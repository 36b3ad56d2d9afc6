/**
 * @module apim/embedded/key-format
 * The shape of the API keys the embedded store issues: `mlaas_`, 32 random base62 characters and a 6-character
 * base62 CRC32 checksum, after GitHub's token format, so secret scanners can recognise a leaked key and check
 * it offline without a round trip (https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/).
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** What every key starts with. */
export const API_KEY_PREFIX = 'mlaas_';

const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Random characters per key: 32 × log2(62) ≈ 190 bits of entropy. */
const RANDOM_LENGTH = 32;
/** Base62 digits of the checksum: 62^6 > 2^32, so every CRC32 fits. */
const CHECKSUM_LENGTH = 6;
const KEY_LENGTH = API_KEY_PREFIX.length + RANDOM_LENGTH + CHECKSUM_LENGTH;
/** Bytes at or above this are rejected so `byte % 62` stays uniform (248 = 4 × 62). */
const UNBIASED_BYTE_LIMIT = 248;
const KEY_SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

/**
 * Generates a new API key.
 * @param randomBytes Source of randomness; tests pass a deterministic one.
 * @example generateApiKey() // 'mlaas_' + 32 random base62 characters + 6-character checksum (44 in all)
 */
export function generateApiKey(randomBytes: (n: number) => Buffer = cryptoRandomBytes): string {
  let body = '';
  while (body.length < RANDOM_LENGTH) {
    // Ask for a few more bytes than needed: about 3% are rejected to keep the characters uniform.
    for (const byte of randomBytes(RANDOM_LENGTH + 8)) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      body += BASE62_ALPHABET.charAt(byte % 62);
      if (body.length === RANDOM_LENGTH) break;
    }
  }
  const unchecked = API_KEY_PREFIX + body;
  return unchecked + checksumOf(unchecked);
}

/**
 * Whether a string has the shape of a key this store issues: prefix, length, alphabet and a matching
 * checksum. A well-formed key may still be unknown or revoked.
 * @example isWellFormedApiKey(generateApiKey()) // true
 * @example isWellFormedApiKey('mlaas_not-a-key') // false
 */
export function isWellFormedApiKey(key: string): boolean {
  if (typeof key !== 'string' || key.length !== KEY_LENGTH || !KEY_SHAPE.test(key)) return false;
  const split = KEY_LENGTH - CHECKSUM_LENGTH;
  return checksumOf(key.slice(0, split)) === key.slice(split);
}

function checksumOf(text: string): string {
  let value = crc32(text);
  let digits = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i += 1) {
    digits = BASE62_ALPHABET.charAt(value % 62) + digits;
    value = Math.floor(value / 62);
  }
  return digits;
}
