import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';

const BIN = fileURLToPath(new URL('../src/bin/fake-3scale.ts', import.meta.url));

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) return line;
  throw new Error('no output');
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('fake-3scale command', () => {
  it('prints one JSON line with url and access_token, serves with that token, and stops on SIGTERM', async () => {
    const child = run(['--port', '0', '--token', 'bin-test-token', '--generated-services', '3']);
    try {
      const ready = JSON.parse(await firstLine(child)) as { url: string; access_token: string };
      assert.deepEqual(Object.keys(ready), ['url', 'access_token']);
      assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(ready.access_token, 'bin-test-token');
      const response = await fetch(`${ready.url}/admin/api/services.json?access_token=${ready.access_token}`);
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { services: unknown[] }).services.length, 7);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exitCode(child), 0);
  });

  it('makes up a token when none is given', async () => {
    const child = run([]);
    try {
      const ready = JSON.parse(await firstLine(child)) as { access_token: string };
      assert.match(ready.access_token, /^[0-9a-f]{64}$/);
    } finally {
      child.kill('SIGTERM');
    }
    await exitCode(child);
  });

  it('prints usage for --help and exits 0', async () => {
    const child = run(['--help']);
    assert.match(await firstLine(child), /^Usage: fake-3scale/);
    assert.equal(await exitCode(child), 0);
  });

  it('exits 2 on an unknown argument', async () => {
    const child = run(['--bogus']);
    assert.equal(await exitCode(child), 2);
  });

  it('exits 1 with the problems of an unreadable seed', async () => {
    const child = run(['--seed', '/nonexistent/seed.json']);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    assert.equal(await exitCode(child), 1);
    assert.match(stderr, /cannot read seed file/);
  });
});
