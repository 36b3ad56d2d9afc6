/**
 * @module test/e2e/keys
 * `mlaas keys list|rotate|revoke|history` against the embedded stack: JSON output, exit codes, the confirmation
 * of revoke, and the warning for a key expiring within seven days (KEY_TTL_DAYS=5 here) — on the commands that
 * fetch keys and, from the dates they noted, on any other command.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, makeHome, runCli, startStack, type Stack } from '../support/stack.js';

const SERVICE = 'sentiment-analysis';

describe('mlaas keys', () => {
  let stack: Stack;
  let home: { configDir: string; remove(): void };
  let env: Record<string, string>;
  before(async () => {
    stack = await startStack({ KEY_TTL_DAYS: '5' });
    home = makeHome();
    env = { ...stack.env, MLAAS_CONFIG_DIR: home.configDir };
    await login(stack, home.configDir, 'alice');
  });
  after(async () => {
    home?.remove();
    await stack?.close();
  });
  const cli = (args: string[]) => runCli(args, { env });

  it('lists, rotates, revokes and shows the history', async () => {
    const init = await cli(['services', 'init', SERVICE, '--json']);
    assert.equal(init.code, 0, init.stderr);
    const granted = JSON.parse(init.stdout);
    assert.match(init.stderr, /expires in 5 days/);
    // Any later command warns too, from the dates noted, without fetching keys (history fetches events only).
    const noted = await cli(['keys', 'history', '--json']);
    assert.equal(noted.code, 0, noted.stderr);
    assert.match(noted.stderr, new RegExp(`your key for ${SERVICE} expires in 5 days`));
    const completion = await cli(['completion', 'bash']);
    assert.doesNotMatch(completion.stderr, /expires in/, 'not after a completion script');

    const list = await cli(['keys', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const keys = JSON.parse(list.stdout).keys;
    assert.deepEqual(
      keys.map((k: { service_id: string; state: string }) => [k.service_id, k.state]),
      [[SERVICE, 'active']],
    );
    assert.equal(keys[0].expires_at, granted.expires_at);

    const rotated = await cli(['keys', 'rotate', SERVICE, '--grace', '1h', '--json']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const rotation = JSON.parse(rotated.stdout);
    assert.notEqual(rotation.api_key, granted.api_key);
    const graceEnd = Date.parse(rotation.previous.valid_until) - Date.now();
    assert.ok(graceEnd > 3_500_000 && graceEnd <= 3_600_000, rotation.previous.valid_until);

    const badGrace = await cli(['keys', 'rotate', SERVICE, '--grace', 'soon']);
    assert.equal(badGrace.code, 2);
    const tooLong = await cli(['keys', 'rotate', SERVICE, '--grace', '365d']);
    assert.equal(tooLong.code, 1);
    assert.match(tooLong.stderr, /between 0 and 604800/);

    // Not a terminal and no --yes: refused without revoking anything.
    const unconfirmed = await cli(['keys', 'revoke', SERVICE]);
    assert.equal(unconfirmed.code, 2, unconfirmed.stderr);
    assert.match(unconfirmed.stderr, /--yes/);
    const revoked = await cli(['keys', 'revoke', SERVICE, '--yes', '--json']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(JSON.parse(revoked.stdout).revoked.length, 2);
    const again = await cli(['keys', 'revoke', SERVICE, '--no-input']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /KEY_NOT_FOUND|no key/i);

    const history = await cli(['keys', 'history', '--json']);
    assert.equal(history.code, 0, history.stderr);
    assert.doesNotMatch(history.stderr, /expires in/, 'a revoked key is not announced');
    const events = JSON.parse(history.stdout).events.map((e: { event: string; outcome: string }) => e.event);
    assert.deepEqual(events.slice(0, 3), ['revoked', 'revoked', 'revoked']);
    assert.ok(events.includes('rotated') && events.includes('issued'));
    const client = JSON.parse(history.stdout).events[0].client as string;
    assert.match(client, /^mlaas-cli\//);
  });
});
