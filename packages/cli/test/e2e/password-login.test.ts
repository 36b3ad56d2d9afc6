/**
 * @module test/e2e/password-login
 * `mlaas login --password` against the embedded stack: the password from stdin or from the environment,
 * a wrong password, and what happens without a terminal when the CLI would have to ask.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeHome, readCredentials, runCli, startStack, type Stack } from '../support/stack.js';

describe('password sign-in', () => {
  let stack: Stack;
  const homes: { remove(): void }[] = [];
  const home = () => {
    const h = makeHome();
    homes.push(h);
    return h.configDir;
  };
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    for (const h of homes) h.remove();
    await stack?.close();
  });

  it('signs in with the password on stdin and keeps the tokens in a 0600 file in a 0700 directory', async () => {
    const configDir = join(home(), 'nested', 'mlaas');
    const result = await runCli(['login', '--password', '--username', 'alice', '--password-stdin'], {
      env: { ...stack.env, MLAAS_CONFIG_DIR: configDir },
      input: 'alice\n',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Signed in as alice/);
    assert.match(result.stderr, /plain file/);
    assert.equal(statSync(join(configDir, 'credentials.json')).mode & 0o777, 0o600);
    assert.equal(statSync(configDir).mode & 0o777, 0o700);
    const tokens = readCredentials(configDir).profiles.default;
    assert.equal(tokens?.issuer, stack.issuer);
    assert.equal(typeof tokens?.refreshToken, 'string');

    const whoami = await runCli(['whoami'], { env: { ...stack.env, MLAAS_CONFIG_DIR: configDir } });
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal(whoami.stdout, 'alice (alice@example.org)\n');
  });

  it('signs in with MLAAS_USERNAME and MLAAS_PASSWORD, and says the plain-file notice only once', async () => {
    const configDir = home();
    const env = { ...stack.env, MLAAS_CONFIG_DIR: configDir, MLAAS_USERNAME: 'bob', MLAAS_PASSWORD: 'bob' };
    const first = await runCli(['login'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /Signed in as bob/);
    assert.match(first.stderr, /plain file/);
    const second = await runCli(['login', '--password'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /plain file/);
    const status = await runCli(['auth', 'status', '--json'], { env: { ...stack.env, MLAAS_CONFIG_DIR: configDir } });
    assert.equal(status.code, 0, status.stderr);
    const info = JSON.parse(status.stdout) as Record<string, string>;
    assert.equal(info.username, 'bob');
    assert.equal(info.token_store, 'file');
  });

  it('signs in on first use when MLAAS_USERNAME and MLAAS_PASSWORD are set (automation)', async () => {
    const configDir = home();
    const result = await runCli(['services', 'list', '--json'], {
      env: { ...stack.env, MLAAS_CONFIG_DIR: configDir, MLAAS_USERNAME: 'alice', MLAAS_PASSWORD: 'alice' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { user: { email: string } }).user.email, 'alice@example.org');
  });

  it('answers a wrong password with exit code 4 and stores nothing', async () => {
    const configDir = home();
    const result = await runCli(['login', '--password', '--username', 'bob', '--password-stdin'], {
      env: { ...stack.env, MLAAS_CONFIG_DIR: configDir },
      input: 'not-the-password\n',
    });
    assert.equal(result.code, 4);
    assert.match(result.stderr, /^error: sign-in failed: wrong username or password \(AUTH_FAILED\)$/m);
    assert.throws(() => statSync(join(configDir, 'credentials.json')));
  });

  it('never prompts without a terminal: login --password without a password exits 4 and says how to sign in', async () => {
    const result = await runCli(['login', '--password', '--username', 'alice'], {
      env: { ...stack.env, MLAAS_CONFIG_DIR: home() },
    });
    assert.equal(result.code, 4);
    assert.match(result.stderr, /\(AUTH_REQUIRED\)/);
    assert.match(result.stderr, /MLAAS_USERNAME and MLAAS_PASSWORD/);
    assert.match(result.stderr, /--password-stdin/);
    assert.match(result.stderr, /mlaas login --device/);
  });

  it('never prompts without a terminal: plain login exits 4 with the ways to sign in', async () => {
    const result = await runCli(['login'], { env: { ...stack.env, MLAAS_CONFIG_DIR: home() } });
    assert.equal(result.code, 4);
    assert.match(result.stderr, /MLAAS_USERNAME and MLAAS_PASSWORD/);
  });

  it('a command that needs a token exits 4 when not signed in and input is off', async () => {
    const result = await runCli(['services', 'list', '--no-input'], {
      env: { ...stack.env, MLAAS_CONFIG_DIR: home() },
    });
    assert.equal(result.code, 4);
    assert.match(result.stderr, /^error: you are not signed in \(AUTH_REQUIRED\)$/m);
    assert.match(result.stderr, /^hint: .*mlaas login/m);
    assert.equal(result.stdout, '');
  });

  it('rejects conflicting sign-in flags as a usage error', async () => {
    const result = await runCli(['login', '--device', '--password'], {
      env: { ...stack.env, MLAAS_CONFIG_DIR: home() },
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /USAGE_ERROR/);
  });
});
