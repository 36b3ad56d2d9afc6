/**
 * @module test/e2e/delivery
 * `mlaas run`, `env`, `secret kubernetes` and `snippet` against the embedded stack: the variables a child
 * sees, exit statuses and signals passed on, keys fetched fresh on every run, formats that survive quoting,
 * a manifest Kubernetes accepts, and snippets that really call the demo gateway.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { Secret } from 'kubernetes-models/v1';
import { CLI_SOURCE, ROOT, login, makeHome, runCli, startStack, type Stack } from '../support/stack.js';

const PRINT_ENV = [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.env))'];

function childEnv(stdout: string): Record<string, string> {
  return JSON.parse(stdout) as Record<string, string>;
}

describe('delivery: run, env, secret, snippet', () => {
  let stack: Stack;
  let home: { configDir: string; remove(): void };
  let env: Record<string, string>;
  let sentimentKey: string;
  before(async () => {
    stack = await startStack();
    home = makeHome();
    env = { ...stack.env, MLAAS_CONFIG_DIR: home.configDir };
    await login(stack, home.configDir, 'alice');
    const init = await runCli(['services', 'init', 'sentiment-analysis', '--json'], { env });
    assert.equal(init.code, 0, init.stderr);
    sentimentKey = (JSON.parse(init.stdout) as { api_key: string }).api_key;
  });
  after(async () => {
    home?.remove();
    await stack?.close();
  });

  it('run passes the key and URL of the named service to the command', async () => {
    const result = await runCli(['run', '--service', 'sentiment-analysis', '--', ...PRINT_ENV], { env });
    assert.equal(result.code, 0, result.stderr);
    const seen = childEnv(result.stdout);
    assert.equal(seen.MLAAS_SENTIMENT_ANALYSIS_API_KEY, sentimentKey);
    assert.equal(seen.MLAAS_SENTIMENT_ANALYSIS_URL, `${stack.url}/gateway/sentiment-analysis`);
    assert.equal(seen.MLAAS_SENTIMENT_ANALYSIS_APP_ID, undefined, 'an api_key service needs no app id');
    assert.equal(seen.MLAAS_TEXT_EMBEDDING_API_KEY, undefined);
  });

  it('run with no --service passes every service that has a key, and only those', async () => {
    const result = await runCli(['run', '--', ...PRINT_ENV], { env });
    assert.equal(result.code, 0, result.stderr);
    const names = Object.keys(childEnv(result.stdout))
      .filter((n) => n.startsWith('MLAAS_') && n.endsWith('_API_KEY'))
      .sort();
    assert.deepEqual(names, ['MLAAS_SENTIMENT_ANALYSIS_API_KEY']);
  });

  it("run passes the command's own options untouched, --help, --json and a second -- included", async () => {
    const args = ['--help', '--json', '--verbose', '--', '--list', 'x y'];
    const result = await runCli(
      ['run', '--service', 'sentiment-analysis', '--', 'sh', '-c', 'printf "%s\\n" "$@"', 'sh', ...args],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.split('\n').slice(0, -1), args);
  });

  it('run exits with the status of the command', async () => {
    const result = await runCli(['run', '--service', 'sentiment-analysis', '--', 'sh', '-c', 'exit 7'], { env });
    assert.equal(result.code, 7);
  });

  it('run without -- is a usage error (exit 2) and runs nothing', async () => {
    const marker = join(home.configDir, 'ran');
    const result = await runCli(['run', '--service', 'sentiment-analysis', 'touch', marker], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /put -- before the command.*\(USAGE_ERROR\)/);
    assert.ok(!readdirSync(home.configDir).includes('ran'));
    const empty = await runCli(['run', '--service', 'sentiment-analysis', '--'], { env });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no command after --/);
  });

  it('run with a command that does not exist exits 127, like shells', async () => {
    const result = await runCli(['run', '--service', 'sentiment-analysis', '--', 'no-such-command-mlaas'], { env });
    assert.equal(result.code, 127);
    assert.match(result.stderr, /command not found: no-such-command-mlaas/);
  });

  it('a service whose key cannot be had fails before the command starts, naming the service', async () => {
    const marker = join(home.configDir, 'started');
    const result = await runCli(
      ['run', '--service', 'sentiment-analysis', '--service', 'speech-to-text-preview', '--', 'touch', marker],
      { env },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /service "speech-to-text-preview": .*\(NO_PLANS_FOUND\)/);
    assert.ok(!readdirSync(home.configDir).includes('started'), 'the command must not have run');
  });

  it('keys are fetched fresh from the helper on every run (a revoked key is never replayed from a cache)', async () => {
    const inits = () =>
      stack.logs.filter((line) => {
        const entry = JSON.parse(line) as { method?: string; path?: string; status?: number };
        return entry.method === 'POST' && entry.path === '/api/services/init' && entry.status === 200;
      }).length;
    const before = inits();
    for (let run = 0; run < 2; run += 1) {
      const result = await runCli(['run', '--service', 'sentiment-analysis', '--', ...PRINT_ENV], { env });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(childEnv(result.stdout).MLAAS_SENTIMENT_ANALYSIS_API_KEY, sentimentKey);
    }
    assert.equal(inits() - before, 2, 'one init call per run');
  });

  it('signals sent to mlaas run reach the command; mlaas exits 128+signal when it dies of it', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI_SOURCE, 'run', '--service', 'sentiment-analysis', '--', 'sleep', '30'],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: 'pipe' },
    );
    // Wait until the command runs (its process appears as a child of mlaas), then signal mlaas only.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const children = spawnSync('pgrep', ['-P', String(child.pid), 'sleep'], { encoding: 'utf8' }).stdout.trim();
      if (children !== '') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 128 + 15);
  });

  it('two services whose names collide are an error naming both', async () => {
    const { assertDistinctStems } = await import('../../src/delivery/variable-names.js');
    assert.throws(() => assertDistinctStems(['ocr-v2', 'ocr.v2']), /"ocr-v2" and "ocr\.v2".*MLAAS_OCR_V2_/);
  });

  it('env --format shell: sourced by sh, every value arrives unchanged', async () => {
    const result = await runCli(['env', '--service', 'sentiment-analysis', '--format', 'shell'], { env });
    assert.equal(result.code, 0, result.stderr);
    const check = spawnSync('sh', ['-c', `${result.stdout}\nprintf %s "$MLAAS_SENTIMENT_ANALYSIS_API_KEY"`], {
      encoding: 'utf8',
    });
    assert.equal(check.stdout, sentimentKey);
  });

  it('env --format json and dotenv carry the same variables as run', async () => {
    const json = await runCli(['env', '--format', 'json'], { env });
    assert.equal(json.code, 0, json.stderr);
    const variables = JSON.parse(json.stdout) as Record<string, string>;
    assert.deepEqual(variables, {
      MLAAS_SENTIMENT_ANALYSIS_API_KEY: sentimentKey,
      MLAAS_SENTIMENT_ANALYSIS_URL: `${stack.url}/gateway/sentiment-analysis`,
    });
    const dotenv = await runCli(['env'], { env });
    assert.equal(
      dotenv.stdout,
      `MLAAS_SENTIMENT_ANALYSIS_API_KEY='${sentimentKey}'\nMLAAS_SENTIMENT_ANALYSIS_URL='${stack.url}/gateway/sentiment-analysis'\n`,
    );
    const bad = await runCli(['env', '--format', 'yaml'], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be one of dotenv, shell, json/);
  });

  it('secret kubernetes prints a Secret that Kubernetes models accept, with the keys as stringData', async () => {
    const result = await runCli(
      ['secret', 'kubernetes', 'ml-keys', '--namespace', 'team-a', '--service', 'sentiment-analysis'],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    const manifest = parseYaml(result.stdout) as Record<string, unknown>;
    const secret = new Secret(manifest as ConstructorParameters<typeof Secret>[0]);
    secret.validate();
    assert.equal(secret.metadata?.name, 'ml-keys');
    assert.equal(secret.metadata?.namespace, 'team-a');
    assert.deepEqual(secret.stringData, {
      MLAAS_SENTIMENT_ANALYSIS_API_KEY: sentimentKey,
      MLAAS_SENTIMENT_ANALYSIS_URL: `${stack.url}/gateway/sentiment-analysis`,
    });
    const bad = await runCli(['secret', 'kubernetes', 'ML_Keys'], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a valid Secret name/);
  });

  describe('snippets call the demo gateway for real, with the key from mlaas run', () => {
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'mlaas-snippet-'));
      for (const id of ['text-embedding', 'image-classification']) {
        const init = await runCli(['services', 'init', id], { env });
        assert.equal(init.code, 0, init.stderr);
      }
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const service of ['sentiment-analysis', 'text-embedding', 'image-classification']) {
      it(`curl: ${service}`, async () => {
        const snippet = await runCli(['snippet', service], { env });
        assert.equal(snippet.code, 0, snippet.stderr);
        assert.ok(!snippet.stdout.includes(sentimentKey), 'the snippet holds no key');
        const file = join(dir, `${service}.sh`);
        writeFileSync(file, snippet.stdout);
        const result = await runCli(['run', '--service', service, '--', 'sh', file], { env });
        assert.equal(result.code, 0, result.stderr);
        assert.equal((JSON.parse(result.stdout) as { service: string }).service, service);
      });

      it(`node: ${service}`, async () => {
        const snippet = await runCli(['snippet', service, '--lang', 'node'], { env });
        assert.equal(snippet.code, 0, snippet.stderr);
        const file = join(dir, `${service}.mjs`);
        writeFileSync(file, snippet.stdout);
        const result = await runCli(['run', '--service', service, '--', process.execPath, file], { env });
        assert.equal(result.code, 0, result.stderr);
        assert.equal((JSON.parse(result.stdout) as { service: string }).service, service);
      });

      const python = spawnSync('python3', ['--version']).status === 0;
      it(`python: ${service}`, { skip: python ? false : 'python3 is not installed' }, async () => {
        const snippet = await runCli(['snippet', service, '--lang', 'python'], { env });
        assert.equal(snippet.code, 0, snippet.stderr);
        const file = join(dir, `${service}.py`);
        writeFileSync(file, snippet.stdout);
        const result = await runCli(['run', '--service', service, '--', 'python3', file], { env });
        assert.equal(result.code, 0, result.stderr);
        assert.equal((JSON.parse(result.stdout) as { service: string }).service, service);
      });
    }

    it('without the variable, the node snippet fails and says what to set', async () => {
      const snippet = await runCli(['snippet', 'sentiment-analysis', '--lang', 'node'], { env });
      const file = join(dir, 'unset.mjs');
      writeFileSync(file, snippet.stdout);
      const result = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { PATH: process.env.PATH } });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /MLAAS_SENTIMENT_ANALYSIS_API_KEY/);
    });

    it('an unknown service or language is refused', async () => {
      const unknown = await runCli(['snippet', 'sentimnt-analysis'], { env });
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /SERVICE_NOT_FOUND/);
      assert.match(unknown.stderr, /Did you mean: sentiment-analysis/);
      const lang = await runCli(['snippet', 'sentiment-analysis', '--lang', 'ruby'], { env });
      assert.equal(lang.code, 2);
    });
  });

  it('no secret is left in the config directory by run, env or secret', () => {
    for (const name of readdirSync(home.configDir)) {
      const text = readFileSync(join(home.configDir, name), 'utf8');
      assert.ok(!text.includes(sentimentKey), `${name} holds a key`);
    }
  });
});
