/**
 * @module test/store/file-store
 * The plain-file token store: permissions, profiles, and atomic replacement — a writer killed with
 * SIGKILL in the middle of writing leaves a file that parses, never a partial one.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { createFileTokenStore } from '../../src/store/file-store.js';
import type { StoredTokens } from '../../src/store/token-set.js';
import { ROOT } from '../support/stack.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlaas-store-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const tokens = (n: number): StoredTokens => ({
  issuer: 'http://127.0.0.1:5000/realms/mlaas',
  clientId: 'mlaas-cli',
  accessToken: `a${n}`,
  refreshToken: `r${n}`,
  idToken: null,
  tokenType: 'Bearer',
  scope: 'openid',
  expiresAt: 100 + n,
  obtainedAt: n,
});

describe('file token store', () => {
  it('creates the directory 0700 and the file 0600, and warns once that it is a plain file', async () => {
    const dir = join(tempDir(), 'a', 'mlaas');
    const warnings: string[] = [];
    const store = createFileTokenStore({ configDir: dir, warn: (m) => warnings.push(m) });
    await store.write('default', tokens(1));
    await store.write('default', tokens(2));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'credentials.json')).mode & 0o777, 0o600);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /plain file/);
    assert.deepEqual(await store.read('default'), tokens(2));
    // Signing out (the file goes with the last profile) and in again does not repeat it.
    await store.delete('default');
    await store.write('default', tokens(3));
    assert.equal(warnings.length, 1);
  });

  it('finding 11: the CLI tightens an existing config directory others can read to 0700', async () => {
    const dir = join(tempDir(), 'mlaas');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const store = createFileTokenStore({ configDir: dir, warn: () => {} });
    await store.write('default', tokens(1));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
  });

  it('keeps profiles apart and deletes the file with the last profile', async () => {
    const dir = tempDir();
    const store = createFileTokenStore({ configDir: dir });
    await store.write('a', tokens(1));
    await store.write('b', tokens(2));
    assert.deepEqual(await store.read('a'), tokens(1));
    assert.equal(await store.delete('a'), true);
    assert.equal(await store.read('a'), null);
    assert.deepEqual(await store.read('b'), tokens(2));
    assert.equal(await store.delete('a'), false);
    await store.delete('b');
    assert.ok(!existsSync(join(dir, 'credentials.json')));
  });

  it('warns about a file others can read, and ignores a corrupt one', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'credentials.json'), '{"version":1,"profiles":{}}', { mode: 0o644 });
    const warnings: string[] = [];
    const store = createFileTokenStore({ configDir: dir, warn: (m) => warnings.push(m) });
    await store.read('default');
    assert.match(warnings.join('\n'), /readable by other users .*chmod 600/);
    writeFileSync(join(dir, 'credentials.json'), '{"version":1,"prof', { mode: 0o600 });
    assert.equal(await store.read('default'), null);
    assert.match(warnings.join('\n'), /not valid JSON/);
  });

  it('is never left partial when the writing process is killed (SIGKILL during a write loop)', async () => {
    const dir = tempDir();
    for (let round = 0; round < 5; round += 1) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'packages', 'cli', 'test', 'support', 'write-loop.ts'), dir],
        {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await sleep(20 + round * 37);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const path = join(dir, 'credentials.json');
      if (existsSync(path)) {
        const parsed = JSON.parse(readFileSync(path, 'utf8')) as {
          version: number;
          profiles: Record<string, StoredTokens>;
        };
        assert.equal(parsed.version, 1);
        for (const entry of Object.values(parsed.profiles)) assert.match(entry.accessToken, /^access-\d+-x+$/);
        assert.equal(statSync(path).mode & 0o777, 0o600);
      }
    }
    // A later write removes the temp files the killed writers left behind.
    await createFileTokenStore({ configDir: dir }).write('default', tokens(1));
    assert.deepEqual(
      readdirSync(dir).filter((name) => name.endsWith('.tmp')),
      [],
    );
  });
});
