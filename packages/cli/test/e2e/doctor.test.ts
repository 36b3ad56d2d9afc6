/**
 * @module test/e2e/doctor
 * `mlaas doctor` against the embedded stack: healthy, the helper down, not signed in, and a token file
 * others can read — each failure a ✗ with its fix and exit 1; `--json` the same facts.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_VERSION } from '../../src/version.js';
import { findFreePort } from '../../../helper/src/idp/listen-address.js';
import { login, makeHome, runCli, startStack, type Stack } from '../support/stack.js';

interface Report {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string; fix?: string; ms?: number }[];
}

describe('mlaas doctor', () => {
  let stack: Stack;
  let home: { configDir: string; remove(): void };
  let env: Record<string, string>;
  before(async () => {
    stack = await startStack();
    home = makeHome();
    env = { ...stack.env, MLAAS_CONFIG_DIR: home.configDir };
    await login(stack, home.configDir, 'alice');
  });
  after(async () => {
    home?.remove();
    await stack?.close();
  });

  it('healthy: every line ✓, exit 0, with settings and their sources, timings and versions', async () => {
    const result = await runCli(['doctor'], { env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines) assert.match(line, /^✓ /);
    assert.ok(lines.includes(`✓ setting helper URL: ${stack.url}  [MLAAS_HELPER_URL]`), result.stdout);
    assert.match(result.stdout, /^✓ setting profile: default {2}\[built-in default\]$/m);
    assert.match(result.stdout, /^✓ helper: .*\/api\/health answers \(\d+ ms\)$/m);
    assert.match(result.stdout, /^✓ issuer: .*openid-configuration answers \(\d+ ms\)$/m);
    assert.match(result.stdout, /^✓ clock vs helper: in step/m);
    assert.match(result.stdout, /^✓ clock vs issuer: in step/m);
    assert.match(result.stdout, /^✓ sign-in: access token valid until /m);
    assert.match(result.stdout, /^✓ token file: .*credentials\.json \(mode 0600\)$/m);
    assert.match(result.stdout, new RegExp(`^✓ versions: CLI ${CLI_VERSION}, helper \\d+\\.\\d+\\.\\d+$`, 'm'));
    assert.match(result.stdout, /^✓ CA: the system root certificates$/m);
  });

  it('--json has the same checks', async () => {
    const result = await runCli(['doctor', '--json'], { env });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as Report;
    assert.equal(report.ok, true);
    const helper = report.checks.find((c) => c.name === 'helper');
    assert.equal(helper?.ok, true);
    assert.equal(typeof helper?.ms, 'number');
  });

  it('the helper down: the helper line is ✗ with a fix, the rest still reported, exit 1', async () => {
    const port = await findFreePort('127.0.0.1');
    const result = await runCli(['doctor'], { env: { ...env, MLAAS_HELPER_URL: `http://127.0.0.1:${port}` } });
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^✗ helper: http://127\\.0\\.0\\.1:${port}/api/health unreachable: `, 'm'));
    assert.match(
      result.stdout,
      /^ {4}fix: check that it runs and the URL is right: mlaas config show \(set with MLAAS_HELPER_URL\)$/m,
    );
    assert.match(result.stdout, /^✓ issuer: /m);
    assert.match(result.stdout, /^✗ versions: not checked/m);
  });

  it('a CA file that cannot be read: the CA line is ✗ naming the setting, exit 1', async () => {
    const missing = join(home.configDir, 'no-such-ca.pem');
    const result = await runCli(['doctor'], { env: { ...env, MLAAS_CA_FILE: missing } });
    assert.equal(result.code, 1);
    assert.ok(result.stdout.includes(`✗ CA: cannot use ${missing} (MLAAS_CA_FILE): `), result.stdout);
    assert.match(result.stdout, /^ {4}fix: point MLAAS_CA_FILE at a PEM file with the CA certificate$/m);
    assert.match(result.stdout, /^✓ helper: /m);
  });

  it('not signed in: sign-in ✗ with mlaas login as the fix', async () => {
    const empty = makeHome();
    try {
      const result = await runCli(['doctor', '--json'], { env: { ...stack.env, MLAAS_CONFIG_DIR: empty.configDir } });
      assert.equal(result.code, 1);
      const report = JSON.parse(result.stdout) as Report;
      assert.equal(report.ok, false);
      const signIn = report.checks.find((c) => c.name === 'sign-in');
      assert.deepEqual([signIn?.ok, signIn?.fix], [false, 'mlaas login']);
      assert.deepEqual(
        report.checks.filter((c) => !c.ok).map((c) => c.name),
        ['sign-in'],
      );
    } finally {
      empty.remove();
    }
  });

  it('a token file others can read is ✗ with the chmod that fixes it', async () => {
    const file = join(home.configDir, 'credentials.json');
    chmodSync(file, 0o644);
    try {
      const result = await runCli(['doctor'], { env });
      assert.equal(result.code, 1);
      assert.match(result.stdout, /^✗ token file: .*\(mode 0644\) can be read by other users$/m);
      assert.ok(result.stdout.includes(`    fix: chmod 600 ${file}`), result.stdout);
    } finally {
      chmodSync(file, 0o600);
    }
  });
});
