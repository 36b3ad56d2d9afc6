/**
 * Regression tests for the identity findings of the security review: users of the embedded issuer cannot
 * share an email or soeid, `email_verified` is asserted only for confirmed addresses, and an account stays
 * bound to the claim its id came from.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { identityFromClaims } from '../../src/auth/identity.js';
import { isHelperError } from '../../src/errors/helper-error.js';
import { hashPassword } from '../../src/idp/password-hash.js';
import { addUser, readUsersFile } from '../../src/idp/users.js';
import { decodeJwt, startStack } from '../idp/support/embedded-stack.js';

const CLAIMS = ['soeid', 'preferred_username', 'sub'];
const PASSWORD = 'correct horse battery';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlaas-identity-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('finding 3: users add keeps emails and soeids unique; email_verified only when confirmed', () => {
  it('finding 3: users add refuses a second user with an existing email or soeid, in any case', async () => {
    const file = join(tempDir(), 'users.json');
    await addUser(file, { username: 'alice', email: 'alice@example.org', soeid: 'AL12345', password: PASSWORD });
    await assert.rejects(
      addUser(file, { username: 'carol', email: 'Alice@Example.org', password: PASSWORD }),
      (error: unknown) =>
        isHelperError(error, 'VALIDATION_ERROR') && /email address .* belongs to "alice"/.test(String(error)),
    );
    await assert.rejects(
      addUser(file, { username: 'carol', email: 'carol@example.org', soeid: 'al12345', password: PASSWORD }),
      (error: unknown) => isHelperError(error, 'VALIDATION_ERROR') && /soeid .* belongs to "alice"/.test(String(error)),
    );
    assert.deepEqual(
      readUsersFile(file).map((u) => u.username),
      ['alice'],
    );
  });

  it('finding 3: a users file where two users share an email is refused at start-up', async () => {
    const file = join(tempDir(), 'users.json');
    const hash = await hashPassword(PASSWORD);
    const user = (id: string, username: string) => ({ id, username, email: 'same@example.org', password_hash: hash });
    writeFileSync(file, JSON.stringify({ users: [user('1', 'alice'), user('2', 'carol')] }), { mode: 0o600 });
    assert.throws(
      () => readUsersFile(file),
      (error: unknown) =>
        isHelperError(error, 'CONFIG_ERROR') && /"carol" has the same email address as "alice"/.test(String(error)),
    );
  });

  it('finding 3: the issuer says email_verified only for addresses marked verified', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'users.json');
    await addUser(file, { username: 'carol', email: 'carol@example.org', password: PASSWORD });
    await addUser(file, { username: 'dave', email: 'dave@example.org', password: PASSWORD, emailVerified: true });
    const stack = await startStack({}, { dataDir });
    try {
      const carol = decodeJwt((await stack.passwordLogin('carol', PASSWORD)).access_token as string);
      const dave = decodeJwt((await stack.passwordLogin('dave', PASSWORD)).access_token as string);
      const alice = decodeJwt((await stack.passwordLogin('alice', 'alice')).access_token as string);
      assert.equal(carol.email_verified, false);
      assert.equal(dave.email_verified, true);
      assert.equal(alice.email_verified, true, 'the demo users own their addresses');
    } finally {
      await stack.close({ keepData: true });
    }
  });

  it("finding 3: carol added with alice's email cannot obtain alice's key", async () => {
    const dataDir = tempDir();
    let aliceKey: string | undefined;
    const stack = await startStack({}, { dataDir });
    try {
      const alice = await stack.passwordLogin('alice', 'alice');
      const init = (token: string) =>
        fetch(`${stack.url}/api/services/init`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ service_id: 'sentiment-analysis' }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: { api_key: string } } }));
      aliceKey = (await init(alice.access_token as string)).body.data?.api_key;
      assert.ok(aliceKey);
      // The demo users are built in, not in the file: the file check alone would let this through.
      await addUser(join(dataDir, 'users.json'), { username: 'carol', email: 'alice@example.org', password: PASSWORD });
    } finally {
      await stack.close({ keepData: true });
    }
    const again = await startStack({}, { dataDir });
    try {
      const carolClaims = decodeJwt((await again.passwordLogin('carol', PASSWORD)).access_token as string);
      assert.equal(carolClaims.email_verified, false);
      const carol = await again.passwordLogin('carol', PASSWORD);
      const response = await fetch(`${again.url}/api/services/init`, {
        method: 'POST',
        headers: { authorization: `Bearer ${carol.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ service_id: 'sentiment-analysis' }),
      });
      const body = (await response.json()) as { data?: { api_key: string } };
      assert.equal(response.status, 200);
      assert.notEqual(body.data?.api_key, aliceKey, "carol gets a key of her own, not alice's");
      await assert.rejects(again.passwordLogin('alice', 'alice'), /password login failed/, 'the demo alice gives way');
    } finally {
      await again.close();
    }
  });
});

describe('finding 4: account identity bound to the claim it came from', () => {
  it('finding 4: account identity: a preferred_username equal to somebody\u2019s soeid names a different account', () => {
    const owner = identityFromClaims({ sub: 's1', soeid: 'AL12345' }, CLAIMS);
    const other = identityFromClaims({ sub: 's2', preferred_username: 'AL12345' }, CLAIMS);
    assert.equal(owner.userId, 'AL12345');
    assert.equal(owner.userIdClaim, 'soeid');
    assert.equal(other.userId, 'preferred_username.AL12345');
    assert.equal(other.userIdClaim, 'preferred_username');
    assert.notEqual(other.userId, owner.userId);
  });

  it('finding 4: account identity: ids with surrounding whitespace of any kind are refused, never trimmed', () => {
    for (const id of ['AL12345\u00a0', ' AL12345', 'AL12345\t', '\u2003AL12345', 'AL12345\u200b', '\ufeffAL12345']) {
      assert.throws(
        () => identityFromClaims({ sub: 's1', soeid: id }, CLAIMS),
        (error: unknown) => isHelperError(error, 'INVALID_TOKEN'),
        JSON.stringify(id),
      );
    }
    assert.equal(identityFromClaims({ sub: 's1', soeid: 'AL 12345' }, CLAIMS).userId, 'AL 12345');
  });

  it('finding 4: account identity: a primary id shaped like a qualified one is refused', () => {
    assert.throws(
      () => identityFromClaims({ sub: 's1', soeid: 'preferred_username.bob' }, CLAIMS),
      (error: unknown) => isHelperError(error, 'INVALID_TOKEN'),
    );
  });

  it('finding 4: account identity: a token without soeid does not reach the key of the user whose soeid equals its username', async () => {
    const dataDir = tempDir();
    const file = join(dataDir, 'users.json');
    await addUser(file, { username: 'victor', email: 'victor@example.org', soeid: 'vic01', password: PASSWORD });
    // No soeid, and a username equal to victor's soeid.
    await addUser(file, { username: 'vic01', email: 'mallory@example.org', password: PASSWORD });
    const stack = await startStack({ USER_ID_CLAIMS: 'soeid,preferred_username,sub' }, { dataDir });
    try {
      const list = async (username: string, password: string) => {
        const tokens = await stack.passwordLogin(username, password);
        const response = await fetch(`${stack.url}/api/services/init`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ service_id: 'sentiment-analysis' }),
        });
        return (await response.json()) as { data: { api_key: string; account_id: string } };
      };
      const victor = await list('victor', PASSWORD);
      const mallory = await list('vic01', PASSWORD);
      assert.notEqual(mallory.data.account_id, victor.data.account_id);
      assert.notEqual(mallory.data.api_key, victor.data.api_key);
    } finally {
      await stack.close({ keepData: true });
    }
  });
});
