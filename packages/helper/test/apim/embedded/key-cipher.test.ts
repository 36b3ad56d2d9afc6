import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createKeyCipher, loadOrCreateKeyFile, parseEncryptionKey } from '../../../src/apim/embedded/key-cipher.js';
import { generateApiKey } from '../../../src/apim/embedded/key-format.js';
import { isHelperError } from '../../../src/errors/helper-error.js';

const SECRET = generateApiKey();

describe('createKeyCipher', () => {
  it('decrypts what it encrypted', () => {
    const cipher = createKeyCipher(randomBytes(32));
    assert.equal(cipher.decrypt(cipher.encrypt(SECRET)), SECRET);
  });

  it('encrypts the same text differently each time and never in clear', () => {
    const cipher = createKeyCipher(randomBytes(32));
    const a = cipher.encrypt(SECRET);
    const b = cipher.encrypt(SECRET);
    assert.notDeepEqual(a, b);
    assert.equal(a.includes(SECRET), false);
    assert.equal(a[0], 1, 'format version byte');
  });

  it('refuses a tampered blob with CONFIG_ERROR', () => {
    const cipher = createKeyCipher(randomBytes(32));
    const blob = cipher.encrypt(SECRET);
    blob[blob.length - 1] = (blob[blob.length - 1] ?? 0) ^ 1;
    assert.throws(
      () => cipher.decrypt(blob),
      (error) => isHelperError(error, 'CONFIG_ERROR'),
    );
  });

  it('refuses a blob made with another key, without revealing the plaintext', () => {
    const blob = createKeyCipher(randomBytes(32)).encrypt(SECRET);
    assert.throws(
      () => createKeyCipher(randomBytes(32)).decrypt(blob),
      (error) =>
        isHelperError(error, 'CONFIG_ERROR') &&
        /EMBEDDED_ENCRYPTION_KEY/.test(error.message) &&
        !error.message.includes(SECRET),
    );
  });

  it('refuses a key that is not 32 bytes', () => {
    assert.throws(
      () => createKeyCipher(randomBytes(16)),
      (error) => isHelperError(error, 'CONFIG_ERROR'),
    );
  });
});

describe('parseEncryptionKey', () => {
  it('reads 32 bytes of base64', () => {
    const key = randomBytes(32);
    assert.deepEqual(parseEncryptionKey(key.toString('base64')), key);
    assert.deepEqual(parseEncryptionKey(` ${key.toString('base64url')}\n`), key);
  });

  it('refuses anything else with CONFIG_ERROR, without echoing the value', () => {
    const short = randomBytes(16).toString('base64');
    assert.throws(
      () => parseEncryptionKey(short),
      (error) => isHelperError(error, 'CONFIG_ERROR') && !error.message.includes(short),
    );
    assert.throws(
      () => parseEncryptionKey('not base64 at all'),
      (error) => isHelperError(error, 'CONFIG_ERROR'),
    );
  });
});

describe('loadOrCreateKeyFile', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlaas-key-cipher-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a missing key file with mode 0600 holding 32 bytes in base64', () => {
    const path = join(dir, 'created.key');
    const key = loadOrCreateKeyFile(path);
    assert.equal(key.length, 32);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(path, 'utf8').trim(), key.toString('base64'));
  });

  it('returns the same key on a second call', () => {
    const path = join(dir, 'reused.key');
    assert.deepEqual(loadOrCreateKeyFile(path), loadOrCreateKeyFile(path));
  });

  it('leaves no temporary file behind', () => {
    const sub = mkdtempSync(join(dir, 'clean-'));
    loadOrCreateKeyFile(join(sub, 'store.key'));
    assert.deepEqual(readdir(sub), ['store.key']);
  });

  it('refuses a key file readable by group or others', () => {
    const path = join(dir, 'shared.key');
    writeFileSync(path, `${randomBytes(32).toString('base64')}\n`);
    chmodSync(path, 0o644);
    assert.throws(
      () => loadOrCreateKeyFile(path),
      (error) => isHelperError(error, 'CONFIG_ERROR') && error.message.includes('0644'),
    );
  });

  it('refuses a key file of the wrong length', () => {
    const path = join(dir, 'short.key');
    writeFileSync(path, `${randomBytes(16).toString('base64')}\n`, { mode: 0o600 });
    assert.throws(
      () => loadOrCreateKeyFile(path),
      (error) => isHelperError(error, 'CONFIG_ERROR'),
    );
  });
});

function readdir(path: string): string[] {
  return readdirSync(path).sort();
}
