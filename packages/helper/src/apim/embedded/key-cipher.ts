/**
 * @module apim/embedded/key-cipher
 * Encryption at rest of the API keys the embedded store keeps (AES-256-GCM), and the 32-byte key it uses:
 * from configuration, or from a key file the store generates with 0600 permissions.
 */
import { createCipheriv, createDecipheriv, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { HelperError } from '../../errors/helper-error.js';
import { createPrivateFileOnce, readPrivateFile } from '../../lib/private-file.js';

/** Bytes of an AES-256 key. */
export const ENCRYPTION_KEY_BYTES = 32;

/** First byte of every blob; a new format gets a new number and old blobs stay readable. */
const FORMAT_V1 = 1;
/** 96-bit IVs are what GCM is specified for (NIST SP 800-38D §8.2). */
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const BASE64_KEY = /^[A-Za-z0-9+/]{43}=$/;
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}=?$/;

/** Encrypts and decrypts short secrets (API keys) with one AES-256-GCM key. */
export interface KeyCipher {
  /** Encrypts with a fresh random IV: `version (1) | iv (12) | tag (16) | ciphertext`. */
  encrypt(plain: string): Buffer;
  /** Decrypts a blob made by {@link KeyCipher.encrypt}; throws CONFIG_ERROR with a wrong key or an altered blob. */
  decrypt(blob: Buffer): string;
}

/**
 * Creates a cipher for a 32-byte key.
 * @example
 * const cipher = createKeyCipher(loadOrCreateKeyFile('/var/lib/mlaas/store.key'));
 * cipher.decrypt(cipher.encrypt('mlaas_...')) // 'mlaas_...'
 */
export function createKeyCipher(key: Buffer): KeyCipher {
  if (!Buffer.isBuffer(key) || key.length !== ENCRYPTION_KEY_BYTES) {
    throw new HelperError('CONFIG_ERROR', `the embedded store's encryption key must be ${ENCRYPTION_KEY_BYTES} bytes`);
  }
  const secret = Buffer.from(key);

  return {
    encrypt(plain) {
      const iv = cryptoRandomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', secret, iv);
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.of(FORMAT_V1), iv, cipher.getAuthTag(), ciphertext]);
    },
    decrypt(blob) {
      if (blob.length < HEADER_BYTES || blob[0] !== FORMAT_V1) {
        throw new HelperError('CONFIG_ERROR', 'cannot decrypt a stored API key: unknown or damaged format');
      }
      const iv = blob.subarray(1, 1 + IV_BYTES);
      const tag = blob.subarray(1 + IV_BYTES, HEADER_BYTES);
      try {
        const decipher = createDecipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_BYTES });
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES)), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new HelperError(
          'CONFIG_ERROR',
          'cannot decrypt a stored API key: wrong EMBEDDED_ENCRYPTION_KEY, or the data was altered',
          { cause: error },
        );
      }
    },
  };
}

/**
 * Parses an encryption key given in configuration: 32 bytes in base64 (or base64url).
 * @example parseEncryptionKey(process.env.EMBEDDED_ENCRYPTION_KEY) // from `openssl rand -base64 32`
 */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  if (BASE64_KEY.test(trimmed)) return Buffer.from(trimmed, 'base64');
  if (BASE64URL_KEY.test(trimmed)) return Buffer.from(trimmed, 'base64url');
  // The value is a secret: the message says what is expected, never what was given.
  throw new HelperError(
    'CONFIG_ERROR',
    `EMBEDDED_ENCRYPTION_KEY must be ${ENCRYPTION_KEY_BYTES} bytes in base64 (make one: \`openssl rand -base64 32\`)`,
  );
}

/**
 * Reads the store's encryption key from a file, or creates the file with a new random key when it is missing.
 * The file holds the key in base64 and must not be readable by group or others. Creation is atomic and safe
 * against a concurrent process doing the same: whoever links its file first wins and the other reads that key.
 * @example const key = loadOrCreateKeyFile(join(dataDir, 'store.key'));
 */
export function loadOrCreateKeyFile(path: string, randomBytes: (n: number) => Buffer = cryptoRandomBytes): Buffer {
  const existing = readKeyFile(path);
  if (existing !== null) return existing;
  createPrivateFileOnce(path, `${randomBytes(ENCRYPTION_KEY_BYTES).toString('base64')}\n`, 'key');
  const created = readKeyFile(path);
  if (created === null) throw new HelperError('CONFIG_ERROR', `the key file ${path} disappeared while being created`);
  return created;
}

/** The key in the file, or null when there is no file. */
function readKeyFile(path: string): Buffer | null {
  const text = readPrivateFile(path, 'key')?.trim();
  if (text === undefined) return null;
  if (!BASE64_KEY.test(text)) {
    throw new HelperError('CONFIG_ERROR', `the key file ${path} must hold ${ENCRYPTION_KEY_BYTES} bytes in base64`);
  }
  return Buffer.from(text, 'base64');
}
