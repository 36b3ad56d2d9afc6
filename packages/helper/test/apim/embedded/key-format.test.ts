import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_KEY_PREFIX, generateApiKey, isWellFormedApiKey } from '../../../src/apim/embedded/key-format.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('generateApiKey', () => {
  it('is the mlaas_ prefix followed by 38 base62 characters', () => {
    const key = generateApiKey();
    assert.equal(API_KEY_PREFIX, 'mlaas_');
    assert.ok(key.startsWith('mlaas_'));
    assert.equal(key.length, 44);
    assert.match(key, /^mlaas_[0-9A-Za-z]{38}$/);
  });

  it('produces 1000 distinct keys from the system random source', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey()));
    assert.equal(keys.size, 1000);
  });

  it('uses the injected random source, so equal bytes give equal keys', () => {
    const bytes = (n: number) => Buffer.alloc(n, 7);
    assert.equal(generateApiKey(bytes), generateApiKey(bytes));
    assert.ok(generateApiKey(bytes).startsWith('mlaas_77777777'));
  });

  it('skips bytes that would bias the alphabet and asks for more', () => {
    let calls = 0;
    const bytes = (n: number) => Buffer.alloc(n, calls++ === 0 ? 250 : 1);
    assert.ok(generateApiKey(bytes).startsWith(`mlaas_${'1'.repeat(32)}`));
    assert.equal(calls, 2);
  });
});

describe('isWellFormedApiKey', () => {
  it('accepts a generated key', () => {
    assert.equal(isWellFormedApiKey(generateApiKey()), true);
  });

  it('rejects a key with any single character changed', () => {
    const key = generateApiKey();
    for (let i = API_KEY_PREFIX.length; i < key.length; i += 1) {
      const other = BASE62[(BASE62.indexOf(key.charAt(i)) + 1) % 62] ?? '0';
      const altered = key.slice(0, i) + other + key.slice(i + 1);
      assert.equal(isWellFormedApiKey(altered), false, `change at index ${i} not detected`);
    }
  });

  it('rejects a wrong prefix, a wrong length and characters outside base62', () => {
    const key = generateApiKey();
    assert.equal(isWellFormedApiKey(`xlaas_${key.slice(6)}`), false);
    assert.equal(isWellFormedApiKey(key.slice(0, -1)), false);
    assert.equal(isWellFormedApiKey(`${key}0`), false);
    assert.equal(isWellFormedApiKey(`${key.slice(0, 10)}-${key.slice(11)}`), false);
    assert.equal(isWellFormedApiKey(''), false);
  });
});
