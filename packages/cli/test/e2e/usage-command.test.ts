/**
 * @module test/e2e/usage-command
 * `mlaas usage [SERVICE]` against the embedded stack: the helper's data with `--json`, a bar chart and limit
 * bars without colours when piped, every service with a key when none is named, and the exit codes of a
 * bad period (2) and a service without a key (1).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { login, makeHome, runCli, startStack, type Stack } from '../support/stack.js';

const SERVICE = 'sentiment-analysis';

describe('mlaas usage', () => {
  let stack: Stack;
  let home: { configDir: string; remove(): void };
  let env: Record<string, string>;
  const cli = (args: string[]) => runCli(args, { env });
  before(async () => {
    stack = await startStack();
    home = makeHome();
    env = { ...stack.env, MLAAS_CONFIG_DIR: home.configDir };
    await login(stack, home.configDir, 'alice');
    const init = await cli(['services', 'init', SERVICE, '--json']);
    assert.equal(init.code, 0, init.stderr);
    const key = JSON.parse(init.stdout).api_key as string;
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${stack.url}/gateway/${SERVICE}`, { headers: { 'x-api-key': key } });
      assert.equal(response.status, 200);
    }
  });
  after(async () => {
    home?.remove();
    await stack?.close();
  });

  it('prints the helper data for one service with --json', async () => {
    const result = await cli(['usage', SERVICE, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const data = JSON.parse(result.stdout);
    assert.equal(data.service_id, SERVICE);
    assert.equal(data.period, 'week');
    assert.equal(data.total, 3);
    const limits = data.limits.map((l: { period: string; used: number; max: number }) => [l.period, l.used, l.max]);
    // The calls were made moments ago: a new minute may have begun since (never a new day, in practice).
    const minute = limits.find(([period]: [string]) => period === 'minute');
    assert.ok(minute[1] >= 0 && minute[1] <= 3 && minute[2] === 60, JSON.stringify(minute));
    assert.deepEqual(
      limits.filter(([period]: [string]) => period !== 'minute'),
      [
        ['day', 3, 1000],
        ['month', 3, 10000],
      ],
    );
  });

  it('draws bars without colours when piped, for every service with a key', async () => {
    const result = await cli(['usage', '--period', 'month']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /sentiment-analysis · plan Basic · last 30 days/);
    assert.match(result.stdout, / 3 █{40}\n/);
    assert.match(result.stdout, /total 3/);
    assert.match(result.stdout, /hits per minute +▏?█*[▏▎▍▌▋▊▉]?░+ [0-3] \/ 60 {2}resets \d{4}-\d\d-\d\d /);
    assert.match(result.stdout, /hits per day +▏?█*[▏▎▍▌▋▊▉]?░+ 3 \/ 1000 {2}resets \d{4}-\d\d-\d\d /);
    assert.equal(result.stdout.includes('\u001b['), false);
    const all = await cli(['usage', '--json']);
    assert.deepEqual(
      JSON.parse(all.stdout).services.map((s: { service_id: string }) => s.service_id),
      [SERVICE],
    );
  });

  it('refuses an unknown period with exit code 2, and a service without a key with 1', async () => {
    const period = await cli(['usage', SERVICE, '--period', 'year']);
    assert.equal(period.code, 2);
    assert.match(period.stderr, /--period must be day, week or month/);
    const noKey = await cli(['usage', 'text-embedding']);
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /no key/i);
  });
});
