/**
 * @module test/e2e/services
 * `mlaas services list` and `mlaas services init` against the embedded stack: plain and JSON output, keys
 * by id and by name, new and existing, unknown services with suggestions, and secrets kept out of
 * `--verbose` output.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, makeHome, readCredentials, runCli, startStack, type Stack } from '../support/stack.js';

describe('services', () => {
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

  it("--json prints the helper's data object unchanged", async () => {
    const result = await runCli(['services', 'list', '--json'], { env });
    assert.equal(result.code, 0, result.stderr);
    const token = readCredentials(home.configDir).profiles.default?.accessToken as string;
    const direct = (await (
      await fetch(`${stack.url}/api/services`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { data: unknown };
    assert.deepEqual(JSON.parse(result.stdout), direct.data);
  });

  it('prints one tab-separated row per service when stdout is not a terminal', async () => {
    const result = await runCli(['services', 'list'], { env });
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t'));
    assert.ok(rows.length >= 3);
    for (const row of rows) assert.equal(row.length, 5);
    const sentiment = rows.find((row) => row[1] === 'sentiment-analysis');
    assert.deepEqual(sentiment?.slice(0, 4), [
      'Sentiment Analysis',
      'sentiment-analysis',
      `${stack.url}/gateway/sentiment-analysis`,
      'api_key (header X-API-Key)',
    ]);
  });

  it('init by id creates a key, then returns the same key as existing; the list then shows it', async () => {
    const first = await runCli(['services', 'init', 'sentiment-analysis', '--json'], { env });
    assert.equal(first.code, 0, first.stderr);
    const created = JSON.parse(first.stdout) as { api_key: string; is_new: boolean; service: { id: string } };
    assert.equal(created.is_new, true);
    assert.equal(created.service.id, 'sentiment-analysis');

    const again = await runCli(['services', 'init', 'sentiment-analysis'], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /You already have an API key for Sentiment Analysis/);
    assert.match(again.stdout, new RegExp(`^api key: +${created.api_key}$`, 'm'));
    assert.match(again.stdout, new RegExp(`^endpoint: +${stack.url}/gateway/sentiment-analysis$`, 'm'));
    // The example uses the service's real credential location and name: header X-API-Key.
    assert.ok(
      again.stdout.includes(`curl -H 'X-API-Key: ${created.api_key}' ${stack.url}/gateway/sentiment-analysis`),
      again.stdout,
    );

    const list = await runCli(['services', 'list'], { env });
    const row = list.stdout.split('\n').find((line) => line.includes('\tsentiment-analysis\t')) ?? '';
    assert.match(row, /\tyes /);
    assert.ok(!row.includes(created.api_key), 'the list shows a preview, never the key');
  });

  it('init by name; the example puts the key where the service expects it (query parameter)', async () => {
    const result = await runCli(['services', 'init', '--name', 'Text Embedding'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Created a new API key for Text Embedding/);
    const key = /^api key: +(\S+)$/m.exec(result.stdout)?.[1] ?? '';
    assert.ok(key.length > 10);
    assert.ok(result.stdout.includes(`curl '${stack.url}/gateway/text-embedding?user_key=${key}'`), result.stdout);
  });

  it('HTTP Basic services get a curl -u example with the key as user name', async () => {
    const result = await runCli(['services', 'init', 'image-classification'], { env });
    assert.equal(result.code, 0, result.stderr);
    const key = /^api key: +(\S+)$/m.exec(result.stdout)?.[1] ?? '';
    assert.ok(result.stdout.includes(`curl -u ${key}: ${stack.url}/gateway/image-classification`), result.stdout);
  });

  it('an unknown service exits 1 with SERVICE_NOT_FOUND and the closest names as a hint', async () => {
    const result = await runCli(['services', 'init', 'sentimnt-analysis'], { env });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^error: .*\(SERVICE_NOT_FOUND\)/m);
    assert.match(result.stderr, /^hint: Did you mean: sentiment-analysis \(Sentiment Analysis\)/m);
  });

  it('a service without a self-service plan exits 1 with NO_PLANS_FOUND', async () => {
    const result = await runCli(['services', 'init', 'speech-to-text-preview'], { env });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\(NO_PLANS_FOUND\)/);
  });

  it('init needs exactly one of an id or --name', async () => {
    const neither = await runCli(['services', 'init'], { env });
    assert.equal(neither.code, 2);
    const both = await runCli(['services', 'init', 'x', '--name', 'y'], { env });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /USAGE_ERROR/);
  });

  it('--verbose shows each HTTP call and never a token or a key', async () => {
    const tokens = readCredentials(home.configDir).profiles.default as { accessToken: string; refreshToken: string };
    const result = await runCli(['services', 'init', 'sentiment-analysis', '--verbose'], { env });
    assert.equal(result.code, 0, result.stderr);
    const key = /^api key: +(\S+)$/m.exec(result.stdout)?.[1] ?? '';
    assert.match(result.stderr, /^http: POST http:\/\/127\.0\.0\.1:\d+\/api\/services\/init → 200 \(\d+ ms\)$/m);
    for (const secret of [key, tokens.accessToken, tokens.refreshToken]) assert.ok(!result.stderr.includes(secret));
    assert.doesNotMatch(result.stderr, /eyJ/);
  });

  it('--verbose during a refresh shows the token endpoint call without tokens', async () => {
    const { expireStoredToken } = await import('../support/stack.js');
    expireStoredToken(home.configDir);
    const before = readCredentials(home.configDir).profiles.default as { refreshToken: string };
    const result = await runCli(['services', 'list', '--verbose'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^http: POST .*\/protocol\/openid-connect\/token → 200/m);
    const after = readCredentials(home.configDir).profiles.default as { accessToken: string; refreshToken: string };
    for (const secret of [before.refreshToken, after.accessToken, after.refreshToken])
      assert.ok(!result.stderr.includes(secret));
  });
});
