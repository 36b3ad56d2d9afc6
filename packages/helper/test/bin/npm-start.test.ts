/**
 * `npm start` (scripts/start.mjs) as a newcomer meets it: a port already taken is one clear message with the
 * PORT= hint and nothing else, and on another port the banner shows the CLI journey with that port's URLs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { findFreePort } from '../../src/idp/listen-address.js';

const START = resolve(import.meta.dirname, '../../../../scripts/start.mjs');

interface Started {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  stop: () => void;
}

function start(port: number, dataDir: string): Started {
  const child = spawn(process.execPath, [START], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), MLAAS_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    code: new Promise((done) => child.on('exit', (code) => done(code))),
    stdout: () => out,
    stderr: () => err,
    stop: () => child.kill('SIGTERM'),
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(condition(), what);
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-start-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('says the port is taken, hints at PORT=, and starts nothing when the port is in use', async () => {
    const port = await findFreePort('127.0.0.1');
    const squatter: Server = createServer();
    await new Promise<void>((done) => squatter.listen(port, '127.0.0.1', done));
    try {
      const run = start(port, dataDir);
      assert.equal(await run.code, 1);
      assert.match(run.stderr(), new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
      assert.match(run.stderr(), /PORT=\d+ npm start/);
      assert.doesNotMatch(run.stderr(), /EADDRINUSE|at .*\.js:\d+/);
      assert.equal(run.stdout(), '', 'no banner');
    } finally {
      await new Promise((done) => squatter.close(done));
    }
  });

  it('shows the CLI journey with the URLs of the port it runs on', async () => {
    const port = await findFreePort('127.0.0.1');
    const run = start(port, dataDir);
    try {
      await until(() => run.stdout().includes('npx mlaas services init'), `banner; stderr: ${run.stderr()}`);
      const banner = run.stdout();
      const base = `http://127.0.0.1:${port}`;
      assert.ok(banner.includes(`MLAAS_KEYCLOAK_URL=${base} MLAAS_HELPER_URL=${base}`), banner);
      assert.match(banner, /npx mlaas login --username alice/);
      assert.match(banner, /npx mlaas services list/);
      assert.ok(banner.includes(`${base}/realms/mlaas/protocol/openid-connect/token`), banner);
      const health = await fetch(`${base}/api/health`);
      assert.equal(health.status, 200);
    } finally {
      run.stop();
      await run.code;
    }
  });
});
