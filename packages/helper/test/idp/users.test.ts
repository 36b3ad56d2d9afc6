/**
 * @module test/idp/users
 * The users file, password hashes, throttling, and the `users add` / `keys rotate` commands.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { runAdminCommand } from '../../src/idp/admin-commands.js';
import { createLoginThrottle } from '../../src/idp/login-throttle.js';
import { hashPassword, verifyPassword } from '../../src/idp/password-hash.js';
import { SIGNING_KEYS_FILE } from '../../src/idp/signing-keys.js';
import { addUser, createUserDirectory, readUsersFile } from '../../src/idp/users.js';

const FAST = { N: 1024, r: 8, p: 1 };

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk, _e, done) {
        text += String(chunk);
        done();
      },
    }),
    text: () => text,
  };
}

describe('password hashes', () => {
  it('verify the right password only, with the parameters stored in the hash', async () => {
    const hash = await hashPassword('correct horse', FAST);
    assert.match(hash, /^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('correct horsE', hash), false);
    assert.notEqual(await hashPassword('correct horse', FAST), hash, 'a fresh salt each time');
  });

  it('refuse malformed or absurd hashes instead of running them', async () => {
    assert.equal(await verifyPassword('x', 'plain-text'), false);
    assert.equal(await verifyPassword('x', `scrypt$${2 ** 30}$8$1$${'a'.repeat(22)}$${'a'.repeat(43)}`), false);
  });
});

describe('users file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlaas-users-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('adds users with mode 0600, and the directory authenticates them', async () => {
    const file = join(dir, 'users.json');
    await addUser(file, { username: 'Carol', email: 'carol@example.org', password: 'carol-secret', soeid: 'CA001' });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const [carol] = readUsersFile(file);
    assert.equal(carol?.username, 'carol');
    assert.doesNotMatch(readFileSync(file, 'utf8'), /carol-secret/);
    const users = await createUserDirectory({ usersFile: file, demoUsers: false });
    assert.equal((await users.authenticate('carol', 'carol-secret'))?.soeid, 'CA001');
    assert.equal(await users.authenticate('carol', 'wrong'), null);
    assert.equal(await users.authenticate('alice', 'alice'), null, 'no demo users unless enabled');
  });

  it('refuses a duplicate user and bad input', async () => {
    const file = join(dir, 'users.json');
    await assert.rejects(
      addUser(file, { username: 'carol', email: 'c2@example.org', password: 'another-one' }),
      /already exists/,
    );
    await assert.rejects(
      addUser(file, { username: 'dave', email: 'not-an-email', password: 'short' }),
      /email.*password/,
    );
  });

  it('reads YAML users files too', async () => {
    const file = join(dir, 'users.yaml');
    await addUser(file, { username: 'erin', email: 'erin@example.org', password: 'erin-secret' });
    assert.match(readFileSync(file, 'utf8'), /username: erin/);
    assert.equal(readUsersFile(file)[0]?.email, 'erin@example.org');
  });

  it('names the entry at fault in a malformed file', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ users: [{ id: '1', username: 'x', email: 'x@example.org', password_hash: 'x' }] }),
      { mode: 0o600 },
    );
    assert.throws(() => readUsersFile(file), /users\[0\]: "password_hash"/);
  });

  it('refuses a users file others can read', () => {
    const file = join(dir, 'shared.json');
    writeFileSync(file, '{"users":[]}', { mode: 0o644 });
    assert.throws(() => readUsersFile(file), /readable by group or others/);
  });
});

describe('login throttle', () => {
  it('makes a (user, address) wait after the free failures, until the wait is over; success clears it', () => {
    let now = 0;
    const throttle = createLoginThrottle({ freeFailures: 2, baseDelayMs: 60_000, windowMs: 600_000, now: () => now });
    assert.ok(throttle.begin('alice', '1.1.1.1').allowed);
    assert.ok(throttle.begin('Alice', '1.1.1.1').allowed);
    const refused = throttle.begin('alice', '1.1.1.1');
    assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 60 });
    now = 30_000;
    assert.deepEqual(throttle.begin('alice', '1.1.1.1'), { allowed: false, retryAfterSeconds: 30 });
    now = 60_000;
    const decision = throttle.begin('alice', '1.1.1.1');
    assert.ok(decision.allowed);
    decision.ticket.succeeded();
    assert.ok(throttle.begin('alice', '1.1.1.1').allowed);
    assert.ok(throttle.begin('alice', '1.1.1.1').allowed);
  });

  it('forgets failures after a quiet window', () => {
    let now = 0;
    const throttle = createLoginThrottle({ freeFailures: 1, baseDelayMs: 1_000, windowMs: 10_000, now: () => now });
    assert.ok(throttle.begin('bob', '9.9.9.9').allowed);
    now = 20_000;
    assert.ok(throttle.begin('bob', '9.9.9.9').allowed);
    assert.equal(throttle.begin('bob', '9.9.9.9').allowed, false);
  });
});

describe('admin commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlaas-admin-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function io(stdinText?: string) {
    const stdin = new PassThrough();
    if (stdinText !== undefined) stdin.end(stdinText);
    const stdout = capture();
    const stderr = capture();
    return {
      io: { env: { MLAAS_DATA_DIR: dir }, stdin, stdout: stdout.stream, stderr: stderr.stream },
      stdout,
      stderr,
    };
  }

  it('users add reads the password from stdin and writes the data dir users file', async () => {
    const run = io('frank-secret\n');
    const code = await runAdminCommand(
      ['users', 'add', 'frank', '--email', 'frank@example.org', '--soeid', 'FR1', '--password-stdin'],
      run.io,
    );
    assert.equal(code, 0, run.stderr.text());
    assert.match(run.stdout.text(), /Added user frank/);
    assert.doesNotMatch(run.stdout.text() + run.stderr.text(), /frank-secret/);
    const users = await createUserDirectory({ usersFile: join(dir, 'users.json'), demoUsers: false });
    assert.notEqual(await users.authenticate('frank', 'frank-secret'), null);
  });

  it('users add refuses to prompt when stdin is not a terminal', async () => {
    const run = io();
    assert.equal(await runAdminCommand(['users', 'add', 'gina', '--email', 'gina@example.org'], run.io), 2);
    assert.match(run.stderr.text(), /--password-stdin/);
  });

  it('users add without --email is a usage error', async () => {
    const run = io('x\n');
    assert.equal(await runAdminCommand(['users', 'add', 'gina', '--password-stdin'], run.io), 2);
  });

  it('keys rotate adds a key and keeps the old one', async () => {
    const first = io();
    assert.equal(await runAdminCommand(['keys', 'rotate'], first.io), 0);
    const second = io();
    assert.equal(await runAdminCommand(['keys', 'rotate'], second.io), 0);
    const file = JSON.parse(readFileSync(join(dir, SIGNING_KEYS_FILE), 'utf8')) as {
      keys: { retiredAt: string | null }[];
    };
    assert.equal(file.keys.length, 2);
    assert.equal(file.keys[0]?.retiredAt, null);
    assert.equal(typeof file.keys[1]?.retiredAt, 'string');
    assert.equal(statSync(join(dir, SIGNING_KEYS_FILE)).mode & 0o777, 0o600);
  });
});
