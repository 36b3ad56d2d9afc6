/**
 * @module test/e2e/legacy-flags
 * Every flag of the original CLI still works: --list, --init id=X, --init name=Y, --health, --config,
 * --logout, --verbose, --keycloak-url, --keycloak-realm, --keycloak-client-id, --mlaas-helper-url.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, makeHome, runCli, startStack, type Stack } from '../support/stack.js';

describe('original flags', () => {
  let stack: Stack;
  let home: { configDir: string; remove(): void };
  /** The stack given only through the original connection flags (no MLAAS_* settings). */
  let flags: string[];
  let env: Record<string, string>;
  before(async () => {
    stack = await startStack();
    home = makeHome();
    env = { MLAAS_CONFIG_DIR: home.configDir };
    flags = [
      '--keycloak-url',
      new URL(stack.issuer).origin,
      '--keycloak-realm',
      'mlaas',
      '--keycloak-client-id',
      'mlaas-cli',
      '--mlaas-helper-url',
      stack.url,
    ];
    await login(stack, home.configDir, 'alice');
  });
  after(async () => {
    home?.remove();
    await stack?.close();
  });

  it('--health', async () => {
    const result = await runCli(['--health', ...flags], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `healthy: ${stack.url}\n`);
  });

  it('--config shows the connection flags as the source of each setting', async () => {
    const result = await runCli([...flags, '--config'], { env });
    assert.equal(result.code, 0, result.stderr);
    const rows = new Map(
      result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => {
          const [key, value, source] = line.split('\t');
          return [key, { value, source }];
        }),
    );
    assert.deepEqual(rows.get('keycloak-url'), { value: new URL(stack.issuer).origin, source: '--keycloak-url' });
    assert.deepEqual(rows.get('keycloak-realm'), { value: 'mlaas', source: '--keycloak-realm' });
    assert.deepEqual(rows.get('keycloak-client-id'), { value: 'mlaas-cli', source: '--keycloak-client-id' });
    assert.deepEqual(rows.get('mlaas-helper-url'), { value: stack.url, source: '--mlaas-helper-url' });
    assert.equal(rows.get('issuer')?.value, stack.issuer);
  });

  it('--list, and --verbose with it', async () => {
    const result = await runCli(['--list', '--verbose', ...flags], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Sentiment Analysis\tsentiment-analysis\t/m);
    assert.match(result.stderr, /^http: GET http:\/\/127\.0\.0\.1:\d+\/api\/services → 200 \(\d+ ms\)$/m);
  });

  it('--init id=ID', async () => {
    const result = await runCli([...flags, '--init', 'id=sentiment-analysis'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^service: +Sentiment Analysis \(sentiment-analysis\)$/m);
  });

  it('--init name="NAME" (also written --init=name=NAME)', async () => {
    const spaced = await runCli([...flags, '--init', 'name=Text Embedding'], { env });
    assert.equal(spaced.code, 0, spaced.stderr);
    assert.match(spaced.stdout, /^service: +Text Embedding \(text-embedding\)$/m);
    const joined = await runCli([...flags, '--init=name=Image Classification', '--json'], { env });
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal((JSON.parse(joined.stdout) as { service: { id: string } }).service.id, 'image-classification');
  });

  it('a connection flag wins over the environment', async () => {
    const result = await runCli(['--health', '--mlaas-helper-url', stack.url], {
      env: { ...env, MLAAS_HELPER_URL: 'http://127.0.0.1:9' },
    });
    assert.equal(result.code, 0, result.stderr);
  });

  it("--keycloak-realm naming another realm does not send this realm's token", async () => {
    const result = await runCli(
      ['--list', ...flags.slice(0, 2), '--keycloak-realm', 'other', '--mlaas-helper-url', stack.url, '--no-input'],
      { env },
    );
    assert.equal(result.code, 4);
    assert.match(
      result.stderr,
      /you are signed in to http:\/\/127\.0\.0\.1:\d+\/realms\/mlaas, not to http:\/\/127\.0\.0\.1:\d+\/realms\/other/,
    );
  });

  it('two actions at once are a usage error', async () => {
    const result = await runCli(['--list', '--health', ...flags], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: --list and --health cannot be combined; give one action \(USAGE_ERROR\)$/m);
  });

  it('--logout', async () => {
    const result = await runCli([...flags, '--logout'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Signed out of profile "default"/);
    const list = await runCli(['--list', ...flags], { env });
    assert.equal(list.code, 4);
  });
});
