/**
 * The embedded issuer's key files: created once per data directory, whoever starts first.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadOrCreateCookieKeys } from '../../src/idp/cookie-keys.js';
import { loadOrCreateSigningKeys } from '../../src/idp/signing-keys.js';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlaas-idp-keys-'));
  dirs.push(dir);
  return dir;
};
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('issuer key files', () => {
  it('gives two issuers starting at once on one data directory the same signing key', async () => {
    const dir = dataDir();
    const [first, second] = await Promise.all([loadOrCreateSigningKeys(dir), loadOrCreateSigningKeys(dir)]);
    assert.equal(first[0]?.jwk.kid, second[0]?.jwk.kid);
    assert.deepEqual(
      (await loadOrCreateSigningKeys(dir)).map((k) => k.jwk.kid),
      first.map((k) => k.jwk.kid),
    );
  });

  it('keeps the cookie keys of the first start', () => {
    const dir = dataDir();
    assert.deepEqual(loadOrCreateCookieKeys(dir), loadOrCreateCookieKeys(dir));
  });
});
