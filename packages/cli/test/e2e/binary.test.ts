/**
 * @module test/e2e/binary
 * The single-file executable (`npm run build:binary`): built once here, then run against the embedded
 * stack — help, health, password sign-in, list, init — with nothing but the binary itself.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { makeHome, ROOT, runCli, startStack, type Stack } from '../support/stack.js';

const run = promisify(execFile);
const BINARY = join(ROOT, 'packages', 'cli', 'dist', process.platform === 'win32' ? 'mlaas.exe' : 'mlaas');

describe('single-file binary', { timeout: 600_000 }, () => {
  let stack: Stack;
  let home: { configDir: string; remove(): void };
  let env: Record<string, string>;
  before(async () => {
    await run(process.execPath, [join(ROOT, 'packages', 'cli', 'scripts', 'build-binary.mjs')], {
      cwd: ROOT,
      timeout: 540_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    stack = await startStack();
    home = makeHome();
    // PATH without node: the binary must not need it.
    env = { ...stack.env, MLAAS_CONFIG_DIR: home.configDir, PATH: '/usr/bin:/bin' };
  });
  after(async () => {
    home?.remove();
    await stack?.close();
  });

  it('is one executable file', () => {
    assert.ok(existsSync(BINARY));
    assert.ok((statSync(BINARY).mode & 0o111) !== 0);
  });

  it('--version and --help', async () => {
    const version = await runCli(['--version'], { executable: BINARY, env });
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    const help = await runCli(['--help'], { executable: BINARY, env });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^Usage: mlaas \[options\] \[command\]/);
    assert.match(help.stdout, /services/);
    assert.equal(help.stderr, '');
  });

  it('health', async () => {
    const result = await runCli(['health'], { executable: BINARY, env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `healthy: ${stack.url}\n`);
  });

  it('login --password, services list, services init', async () => {
    const login = await runCli(['login', '--password', '--username', 'alice', '--password-stdin'], {
      executable: BINARY,
      env,
      input: 'alice\n',
    });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stderr, /Signed in as alice/);
    assert.equal(statSync(join(home.configDir, 'credentials.json')).mode & 0o777, 0o600);

    const list = await runCli(['services', 'list'], { executable: BINARY, env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^Sentiment Analysis\tsentiment-analysis\t/m);

    const init = await runCli(['services', 'init', 'sentiment-analysis', '--json'], { executable: BINARY, env });
    assert.equal(init.code, 0, init.stderr);
    const data = JSON.parse(init.stdout) as { api_key: string; service: { id: string } };
    assert.equal(data.service.id, 'sentiment-analysis');
    assert.ok(data.api_key.length > 10);
  });

  it('an unknown service: exit 1 with SERVICE_NOT_FOUND', async () => {
    const result = await runCli(['services', 'init', 'nope'], { executable: BINARY, env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\(SERVICE_NOT_FOUND\)/);
  });
});
