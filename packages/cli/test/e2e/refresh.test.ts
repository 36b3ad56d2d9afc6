/**
 * @module test/e2e/refresh
 * Token renewal against the embedded issuer (rotating refresh tokens): silent refresh of an expired access
 * token, one refresh for concurrent processes, a revoked session without a terminal, a token from the
 * environment, and sign-out.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CLIENT_ID,
  expireStoredToken,
  login,
  makeHome,
  readCredentials,
  runCli,
  startStack,
  type Stack,
} from '../support/stack.js';

describe('token refresh and sign-out', () => {
  let stack: Stack;
  let home: { configDir: string; remove(): void };
  let env: Record<string, string>;
  const refreshes = () => stack.grants.get('refresh_token') ?? 0;
  const stored = () =>
    readCredentials(home.configDir).profiles.default as {
      accessToken: string;
      refreshToken: string;
      expiresAt: number;
    };

  before(async () => {
    stack = await startStack();
  });
  beforeEach(async () => {
    home?.remove();
    home = makeHome();
    env = { ...stack.env, MLAAS_CONFIG_DIR: home.configDir };
    await login(stack, home.configDir, 'alice');
  });
  after(async () => {
    home?.remove();
    await stack?.close();
  });

  it('a valid token is used as is: no refresh', async () => {
    const before = refreshes();
    const result = await runCli(['services', 'list'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(refreshes(), before);
  });

  it('an expired access token is renewed silently, and the rotated tokens are stored', async () => {
    const old = stored();
    expireStoredToken(home.configDir);
    const before = refreshes();
    const result = await runCli(['services', 'list', '--json', '--no-input'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(refreshes(), before + 1);
    const now = stored();
    assert.notEqual(now.accessToken, old.accessToken);
    assert.notEqual(now.refreshToken, old.refreshToken);
    assert.ok(now.expiresAt > Date.now() / 1000);
  });

  it('two processes with an expired token both succeed with exactly one refresh', async () => {
    const lockPath = join(home.configDir, 'credentials.lock');
    for (let round = 0; round < 3; round += 1) {
      expireStoredToken(home.configDir);
      const before = refreshes();
      // In the first round the lock is held while both start, so both surely see the expired token first.
      if (round === 0)
        writeFileSync(lockPath, JSON.stringify({ pid: process.pid, createdAt: Date.now(), token: 'test' }));
      const running = Promise.all([
        runCli(['services', 'list', '--json', '--no-input'], { env }),
        runCli(['services', 'list', '--json', '--no-input'], { env }),
      ]);
      if (round === 0) {
        await sleep(2_000);
        rmSync(lockPath);
      }
      const results = await running;
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      assert.equal(refreshes(), before + 1, `round ${round}`);
      assert.ok(!existsSync(join(home.configDir, 'credentials.lock')), 'the lock is released');
    }
  });

  it('a revoked session exits 4 without a terminal, with a message saying how to sign in', async () => {
    const { refreshToken } = stored();
    const revoke = await fetch(`${stack.issuer}/protocol/openid-connect/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, token: refreshToken, token_type_hint: 'refresh_token' }),
    });
    assert.equal(revoke.status, 200);
    expireStoredToken(home.configDir);
    const result = await runCli(['services', 'list'], { env });
    assert.equal(result.code, 4);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^error: your session has expired or was ended \(AUTH_REQUIRED\)$/m);
    assert.match(result.stderr, /^hint: .*MLAAS_USERNAME and MLAAS_PASSWORD/m);
    // The dead tokens are dropped, so the next command does not try them again.
    const whoami = await runCli(['whoami'], { env });
    assert.equal(whoami.code, 4);
  });

  it('a token the helper refuses although it looks valid is refreshed once and the call retried', async () => {
    const file = readCredentials(home.configDir);
    const tokens = file.profiles.default as Record<string, unknown>;
    tokens.accessToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.invalid-signature';
    writeFileSync(join(home.configDir, 'credentials.json'), JSON.stringify(file), { mode: 0o600 });
    const before = refreshes();
    const result = await runCli(['services', 'list'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(refreshes(), before + 1);
  });

  it('MLAAS_ACCESS_TOKEN is used as is, without the store', async () => {
    const { accessToken } = stored();
    const other = makeHome();
    try {
      const result = await runCli(['services', 'list', '--json'], {
        env: { ...stack.env, MLAAS_CONFIG_DIR: other.configDir, MLAAS_ACCESS_TOKEN: accessToken },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!existsSync(join(other.configDir, 'credentials.json')));
    } finally {
      other.remove();
    }
  });

  it('logout removes the tokens and revokes the session at the issuer', async () => {
    const { refreshToken } = stored();
    const result = await runCli(['logout'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Signed out of profile "default"; the session was ended at the issuer/);
    assert.ok(!existsSync(join(home.configDir, 'credentials.json')));
    const refresh = await fetch(`${stack.issuer}/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: refreshToken }),
    });
    assert.equal(refresh.status, 400, 'the refresh token no longer works');
    const again = await runCli(['logout'], { env });
    assert.equal(again.code, 0);
    assert.match(again.stderr, /Not signed in/);
  });

  it('profiles keep separate tokens', async () => {
    // A profile is named in config.json before it is used; an unknown one is an error.
    writeFileSync(join(home.configDir, 'config.json'), JSON.stringify({ profiles: { second: {} } }));
    const result = await runCli(
      ['login', '--password', '--username', 'bob', '--password-stdin', '--profile', 'second'],
      { env, input: 'bob\n' },
    );
    assert.equal(result.code, 0, result.stderr);
    const alice = await runCli(['whoami'], { env });
    const bob = await runCli(['whoami'], { env: { ...env, MLAAS_PROFILE: 'second' } });
    assert.equal(alice.stdout, 'alice (alice@example.org)\n');
    assert.match(bob.stdout, /^bob /);
    await runCli(['logout', '--profile', 'second'], { env });
    assert.equal((await runCli(['whoami'], { env })).code, 0);
  });
});
