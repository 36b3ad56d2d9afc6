/**
 * The `mlaas-helper` process as an operator runs it: configuration errors in one message and a non-zero
 * exit, and a graceful SIGTERM that lets in-flight requests finish.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { startTestIssuer } from '../support/test-issuer.js';

const BIN = resolve(import.meta.dirname, '../../src/bin/mlaas-helper.ts');

interface Run {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
  waitFor: (pattern: RegExp) => Promise<string>;
}

function run(env: Record<string, string>, args: string[] = []): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (s: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const match = w.pattern.exec(out);
      if (match) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match[0]);
      }
    }
  };
  child.stdout.on('data', (d) => {
    out += d;
    check();
  });
  child.stderr.on('data', (d) => (err += d));
  return {
    code: new Promise((done) => child.on('exit', (code) => done(code))),
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
    waitFor: (pattern) =>
      new Promise((done, fail) => {
        waiters.push({ pattern, resolve: done });
        check();
        child.on('exit', () => fail(new Error(`exited before ${pattern}: ${err}`)));
      }),
  };
}

describe('mlaas-helper process', () => {
  it('exits non-zero with one message listing every configuration problem', async () => {
    const child = run({ PORT: 'abc', APIM_BACKEND: 'sqlite' });
    assert.equal(await child.code, 78);
    const stderr = child.stderr();
    assert.match(stderr, /^mlaas-helper: Invalid configuration \(\d+ problems\):/);
    for (const name of ['PORT', 'APIM_BACKEND', 'KEYCLOAK_URL', 'KEYCLOAK_REALM', 'KEYCLOAK_CLIENT_ID'])
      assert.ok(stderr.includes(name), name);
    assert.equal(stderr.match(/Invalid configuration/g)?.length, 1);
    assert.doesNotMatch(stderr, /\s+at /, 'no stack trace');
  });

  it('prints usage for --help and refuses unknown arguments with exit 2', async () => {
    const help = run({}, ['--help']);
    assert.equal(await help.code, 0);
    assert.match(help.stdout(), /Usage: mlaas-helper/);
    const bad = run({}, ['--frobnicate']);
    assert.equal(await bad.code, 2);
    assert.match(bad.stderr(), /unknown argument "--frobnicate"/);
  });

  it('finishes in-flight requests on SIGTERM, then exits 0', async () => {
    const issuer = await startTestIssuer();
    const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-bin-'));
    const child = run({
      OIDC_ISSUER: issuer.url,
      KEYCLOAK_CLIENT_ID: 'mlaas-cli',
      APIM_BACKEND: 'embedded',
      MLAAS_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    try {
      const line = await child.waitFor(/"url":"http:\/\/127\.0\.0\.1:\d+"/);
      const url = (JSON.parse(`{${line}}`) as { url: string }).url;
      // The first request waits for the issuer's keys, which now take a while: it is in flight at SIGTERM.
      issuer.setDelay(700);
      const token = await issuer.token();
      const inFlight = fetch(`${url}/api/services`, { headers: { authorization: `Bearer ${token}` } });
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGTERM');
      const response = await inFlight;
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { status: string }).status, 'success');
      assert.equal(await child.code, 0);
      await assert.rejects(fetch(`${url}/api/health`), 'no longer accepting connections');
      assert.match(child.stdout(), /shutting down/);
    } finally {
      child.kill('SIGKILL');
      await issuer.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
