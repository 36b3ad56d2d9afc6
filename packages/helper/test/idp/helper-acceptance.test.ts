/**
 * @module test/idp/helper-acceptance
 * The helper trusts the embedded issuer like any other: through discovery and JWKS. Tokens of another
 * issuer are refused, and tokens survive a restart because the signing keys are kept in the data dir.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findFreePort } from '../../src/idp/listen-address.js';
import { SIGNING_KEYS_FILE, rotateSigningKeys } from '../../src/idp/signing-keys.js';
import { IDP_DATABASE_FILE } from '../../src/idp/sqlite-adapter.js';
import { startTestIssuer } from '../support/test-issuer.js';
import { startStack } from './support/embedded-stack.js';

describe('the helper and the embedded issuer', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-idp-restart-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a token signed by a different issuer, even with the same claims', async () => {
    const stack = await startStack();
    const other = await startTestIssuer();
    try {
      const foreign = await other.token({ claims: { preferred_username: 'alice' }, audience: 'mlaas-cli' });
      const response = await stack.listServices(foreign);
      assert.equal(response.status, 401);
      assert.equal((response.body.error as { code: string }).code, 'INVALID_TOKEN');
      const forged = await other.token({ issuer: stack.issuer, audience: 'mlaas-cli' });
      const second = await stack.listServices(forged);
      assert.equal(second.status, 401);
    } finally {
      await other.close();
      await stack.close();
    }
  });

  it('keeps the signing keys (mode 0600) so tokens stay valid after a restart, also across a key rotation', async () => {
    const port = String(await findFreePort('127.0.0.1'));
    const first = await startStack({ PORT: port }, { dataDir });
    const tokens = await first.passwordLogin('alice', 'alice');
    await first.close();
    assert.equal(statSync(join(dataDir, SIGNING_KEYS_FILE)).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, IDP_DATABASE_FILE)).mode & 0o777, 0o600);

    const { activeKid, publishedKids } = await rotateSigningKeys(dataDir);
    assert.equal(publishedKids.length, 2);

    const second = await startStack({ PORT: port }, { dataDir });
    try {
      assert.equal((await second.listServices(tokens.access_token as string)).status, 200);
      const { keys } = (await (await fetch(second.discovery.jwks_uri)).json()) as { keys: { kid: string }[] };
      assert.deepEqual(keys.map((k) => k.kid).sort(), [...publishedKids].sort());
      const [header] = (tokens.access_token as string).split('.');
      const oldKid = (JSON.parse(Buffer.from(header as string, 'base64url').toString()) as { kid: string }).kid;
      assert.ok(keys.some((k) => k.kid === oldKid));
      const fresh = await second.passwordLogin('alice', 'alice');
      const [freshHeader] = (fresh.access_token as string).split('.');
      assert.equal(
        (JSON.parse(Buffer.from(freshHeader as string, 'base64url').toString()) as { kid: string }).kid,
        activeKid,
      );
      // Refresh tokens live in the issuer's database and survive the restart too.
      const refreshed = await second.token({
        grant_type: 'refresh_token',
        client_id: 'mlaas-cli',
        refresh_token: tokens.refresh_token as string,
      });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      assert.equal((await second.listServices(refreshed.body.access_token as string)).status, 200);
    } finally {
      await second.close();
    }
  });
});
