/**
 * @module test/e2e/sdk
 * The SDK shares the CLI's settings, token store and refresh: a program picks up `mlaas login`, renews the
 * stored token like the CLI does, and the CLI then uses the renewed one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MlaasClient, MlaasError } from '../../src/index.js';
import {
  expireStoredToken,
  login,
  makeHome,
  readCredentials,
  runCli,
  startStack,
  type Stack,
} from '../support/stack.js';

describe('SDK', () => {
  let stack: Stack;
  let home: { configDir: string; remove(): void };
  let env: Record<string, string>;
  before(async () => {
    stack = await startStack();
    home = makeHome();
    env = { ...stack.env, MLAAS_CONFIG_DIR: home.configDir };
    await login(stack, home.configDir, 'bob');
  });
  after(async () => {
    home?.remove();
    await stack?.close();
  });

  it('uses the session of `mlaas login`', async () => {
    const client = new MlaasClient({ env });
    assert.deepEqual(await client.health(), { status: 'healthy' });
    const { services, user } = await client.listServices();
    assert.equal(user.email, 'bob@example.org');
    assert.ok(services.some((s) => s.id === 'text-embedding'));
    const first = await client.initService({ name: 'Text Embedding' });
    const again = await client.initService({ id: 'text-embedding' });
    assert.equal(first.is_new, true);
    assert.equal(again.is_new, false);
    assert.equal(again.api_key, first.api_key);
  });

  it('renews an expired token in the shared store; the CLI then needs no refresh', async () => {
    expireStoredToken(home.configDir);
    const before = stack.grants.get('refresh_token') ?? 0;
    await new MlaasClient({ env }).listServices();
    assert.equal(stack.grants.get('refresh_token'), before + 1);
    assert.ok((readCredentials(home.configDir).profiles.default?.expiresAt as number) > Date.now() / 1000);
    const cli = await runCli(['services', 'list', '--json'], { env });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(stack.grants.get('refresh_token'), before + 1);
  });

  it('reports helper errors with their codes, and a missing session as AUTH_REQUIRED', async () => {
    await assert.rejects(
      new MlaasClient({ env }).initService({ id: 'nope' }),
      (error: unknown) => error instanceof MlaasError && error.code === 'SERVICE_NOT_FOUND' && error.status === 404,
    );
    const other = makeHome();
    try {
      await assert.rejects(
        new MlaasClient({ env: { ...stack.env, MLAAS_CONFIG_DIR: other.configDir } }).listServices(),
        (error: unknown) => error instanceof MlaasError && error.code === 'AUTH_REQUIRED',
      );
      // With credentials, the SDK signs in by itself and keeps the tokens for the CLI.
      const client = new MlaasClient({
        env: { ...stack.env, MLAAS_CONFIG_DIR: other.configDir },
        credentials: { username: 'alice', password: 'alice' },
      });
      assert.equal((await client.listServices()).user.email, 'alice@example.org');
      const whoami = await runCli(['whoami'], { env: { ...stack.env, MLAAS_CONFIG_DIR: other.configDir } });
      assert.equal(whoami.stdout, 'alice (alice@example.org)\n');
    } finally {
      other.remove();
    }
  });
});
