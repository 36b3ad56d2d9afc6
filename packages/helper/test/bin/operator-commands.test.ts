/**
 * `mlaas-helper reconcile` and `mlaas-helper audit` as an operator runs them: a key event written by a helper
 * is read back from the audit history, and a dry run reports what is due without changing it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness } from '../support/helper-harness.js';

const BIN = resolve(import.meta.dirname, '../../src/bin/mlaas-helper.ts');

function run(env: Record<string, string>, args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mlaas-helper operator commands', () => {
  let dataDir: string;
  let issuerUrl: string;
  let clientId: string;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlaas-operator-'));
    // A key is issued and rotated with a grace period of a second, so one deadline is due shortly after.
    const h = await startHarness({}, { dataDir });
    issuerUrl = h.issuer.url;
    clientId = h.issuer.clientId;
    const headers = { authorization: `Bearer ${await h.issuer.token()}` };
    await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/init',
      headers,
      payload: { service_id: 'sentiment-analysis' },
    });
    await h.helper.app.inject({
      method: 'POST',
      url: '/api/services/sentiment-analysis/key/rotate',
      headers,
      payload: { grace_seconds: 1 },
    });
    await h.helper.close();
    await h.issuer.close();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  const env = () => ({
    MLAAS_DATA_DIR: dataDir,
    APIM_BACKEND: 'embedded',
    OIDC_ISSUER: issuerUrl,
    KEYCLOAK_CLIENT_ID: clientId,
    LOG_LEVEL: 'silent',
  });

  it("audit prints every user's events, newest first, as JSON", () => {
    const result = run({ MLAAS_DATA_DIR: dataDir }, ['audit', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const events = JSON.parse(result.stdout) as { event: string; user_id: string }[];
    assert.deepEqual(
      events.map((e) => e.event),
      ['rotated', 'issued'],
    );
  });

  it('reconcile --dry-run lists the due grace end and changes nothing; reconcile then records it once', () => {
    const dry = run(env(), ['reconcile', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(
      JSON.parse(dry.stdout).planned.map((p: { kind: string }) => p.kind),
      ['grace_ended'],
    );
    const real = run(env(), ['reconcile', '--json']);
    assert.equal(real.code, 0, real.stderr);
    assert.equal(JSON.parse(real.stdout).done, 1);
    const again = run(env(), ['reconcile', '--json']);
    assert.equal(JSON.parse(again.stdout).due, 0);
    const events = JSON.parse(run({ MLAAS_DATA_DIR: dataDir }, ['audit', '--json']).stdout) as { event: string }[];
    assert.equal(events[0]?.event, 'grace_ended');
  });

  it('refuses a bad flag with exit code 2', () => {
    assert.equal(run({ MLAAS_DATA_DIR: dataDir }, ['audit', '--limit', 'many']).code, 2);
  });
});
