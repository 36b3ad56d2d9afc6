/**
 * @module bench/usage
 * Benchmark of usage and limits.
 *
 * 1. `GET /api/services/{id}/usage` on the 3scale adapter against the fake 3scale with `--latency` ms (20 by
 *    default) on every call: after the caller's account and applications are cached (a services list and an
 *    init, as a person has done before asking for usage), the wall time of a cold usage report, in upstream
 *    round trips, and the calls it made; then a warm report's calls. Target: cold ≤ 2 round trips, warm none.
 * 2. `mlaas usage SERVICE --json` (the built CLI, a cached token) against `node -e 0` plus one helper call
 *    (the same GET timed alone, a new connection each time), on the embedded stack, alternating runs.
 *    Target: ≤ 1.5 × `node -e 0` + one helper call. Timed from this process, which also runs the stack, so it
 *    reads high under load; the reference measurement is hyperfine's in bench/cli-startup.sh.
 *
 * Run: `npm run build && node --import tsx bench/usage.ts [--latency 20] [--cold-runs 5] [--runs 20]`
 * Prints a markdown report on stdout.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createFake3scale } from '@mlaas/fake-3scale';
import { startThreescaleHarness } from '../packages/helper/test/support/threescale-harness.js';
import { login, makeHome, readCredentials, startStack } from '../packages/cli/test/support/stack.js';
import { ROOT } from '../packages/cli/test/support/stack.js';

const { values: args } = parseArgs({
  options: {
    latency: { type: 'string', default: '20' },
    'cold-runs': { type: 'string', default: '5' },
    runs: { type: 'string', default: '20' },
  },
});
const LATENCY = Number(args.latency);
const COLD_RUNS = Number(args['cold-runs']);
const RUNS = Number(args.runs);
const USAGE_KEYS = ['metrics.list', 'limits.list', 'stats.application_usage'] as const;
const CLI = join(ROOT, 'packages', 'cli', 'dist', 'bin', 'mlaas.js');

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function threescaleUsage(): Promise<string[]> {
  const cold: number[] = [];
  const trip: number[] = [];
  const roundsSeen: number[] = [];
  let coldCalls = 0;
  let warmCalls = 0;
  for (let run = 0; run < COLD_RUNS; run++) {
    const fake = createFake3scale();
    await fake.listen();
    const h = await startThreescaleHarness({ fake });
    try {
      const token = await h.token('alice');
      const serviceId = String(fake.state.listServices()[0]?.id);
      const headers = { authorization: `Bearer ${token}` };
      await h.helper.app.inject({ method: 'GET', url: '/api/services', headers });
      await h.helper.app.inject({
        method: 'POST',
        url: '/api/services/init',
        headers,
        payload: { service_id: serviceId },
      });
      await h.helper.app.inject({ method: 'GET', url: '/api/services', headers });
      fake.setLatency('*', LATENCY);
      // One round trip alone, from this process, as the baseline of this run.
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const reply = await fetch(`${fake.url}/admin/api/services/${serviceId}/metrics.json`, {
          headers: { authorization: `Basic ${Buffer.from(`:${fake.accessToken}`).toString('base64')}` },
        });
        await reply.text();
        trip.push(performance.now() - started);
      }
      const before = fake.stats();
      const logged = fake.requests().length;
      const started = performance.now();
      const response = await h.helper.app.inject({ method: 'GET', url: `/api/services/${serviceId}/usage`, headers });
      cold.push(performance.now() - started);
      if (response.statusCode !== 200 || response.json().data.usage_available !== true)
        throw new Error(`usage failed: ${response.body}`);
      const middle = fake.stats();
      // Sequential rounds, from the fake's log: a call arriving a latency or more after the round's first
      // call starts a new round.
      let roundStart = -Infinity;
      let count = 0;
      for (const request of fake.requests().slice(logged)) {
        const at = Date.parse(request.at);
        if (at - roundStart >= LATENCY * 0.75) {
          count += 1;
          roundStart = at;
        }
      }
      roundsSeen.push(count);
      const calls = (a: Record<string, number>, b: Record<string, number>) =>
        Object.keys(b).reduce((sum, key) => sum + ((b[key] ?? 0) - (a[key] ?? 0)), 0);
      coldCalls = calls(before, middle);
      await h.helper.app.inject({ method: 'GET', url: `/api/services/${serviceId}/usage`, headers });
      warmCalls = calls(middle, fake.stats());
      for (const key of USAGE_KEYS) if ((middle[key] ?? 0) === (before[key] ?? 0)) throw new Error(`no ${key} call`);
    } finally {
      await h.close();
      await fake.close();
    }
  }
  const rounds = median(cold) / median(trip);
  return [
    `### Usage on 3scale (fake at ${LATENCY} ms per call, ${COLD_RUNS} cold runs)`,
    '',
    '| measure | value | target |',
    '| --- | --- | --- |',
    `| one round trip to the fake alone (baseline, median) | ${median(trip).toFixed(1)} ms | — |`,
    `| cold usage report, median wall time | ${median(cold).toFixed(1)} ms = ${rounds.toFixed(2)} round trips | ≤ 2 round trips (${rounds <= 2.5 ? 'met' : 'MISSED'}; 2 rounds + the helper's own work) |`,
    `| sequential rounds of upstream calls, from the fake's log (every run) | ${roundsSeen.join(', ')} | ≤ 2 (${Math.max(...roundsSeen) <= 2 ? 'met' : 'MISSED'}) |`,
    `| cold upstream calls | ${coldCalls} (metrics 1, limits 1, series 1, one count per limit) | — |`,
    `| warm upstream calls | ${warmCalls} | 0 (${warmCalls === 0 ? 'met' : 'MISSED'}) |`,
  ];
}

function timeProcess(argv: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`${argv.join(' ')} exited ${code}`)),
    );
  });
}

async function cliUsage(): Promise<string[]> {
  const stack = await startStack();
  const home = makeHome();
  try {
    await login(stack, home.configDir, 'alice');
    const env = { PATH: process.env.PATH ?? '', HOME: home.configDir, ...stack.env, MLAAS_CONFIG_DIR: home.configDir };
    await timeProcess([CLI, 'services', 'init', 'sentiment-analysis'], env);
    const token = String(readCredentials(home.configDir).profiles.default?.accessToken);
    const helperCall = async () => {
      const started = performance.now();
      const response = await fetch(`${stack.url}/api/services/sentiment-analysis/usage`, {
        headers: { authorization: `Bearer ${token}`, connection: 'close' },
      });
      await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      return performance.now() - started;
    };
    for (let i = 0; i < 20; i++) await helperCall();
    const calls: number[] = [];
    for (let i = 0; i < 100; i++) calls.push(await helperCall());
    const node0: number[] = [];
    const cli: number[] = [];
    const list: number[] = [];
    await timeProcess([CLI, 'usage', 'sentiment-analysis', '--json'], env);
    for (let i = 0; i < RUNS; i++) {
      node0.push(await timeProcess(['-e', '0'], env));
      cli.push(await timeProcess([CLI, 'usage', 'sentiment-analysis', '--json'], env));
      list.push(await timeProcess([CLI, 'services', 'list', '--json'], env));
    }
    const budget = 1.5 * median(node0) + median(calls);
    return [
      `### \`mlaas usage SERVICE --json\` (${RUNS} alternating runs, embedded stack)`,
      '',
      '| measure | median |',
      '| --- | --- |',
      `| \`node -e 0\` | ${median(node0).toFixed(1)} ms |`,
      `| one helper call (GET usage, new connection) | ${median(calls).toFixed(2)} ms |`,
      `| \`mlaas usage sentiment-analysis --json\` | ${median(cli).toFixed(1)} ms |`,
      `| \`mlaas services list --json\` (for comparison) | ${median(list).toFixed(1)} ms (ratio ${(median(list) / median(node0)).toFixed(2)}) |`,
      `| budget 1.5 × node -e 0 + one call | ${budget.toFixed(1)} ms (${median(cli) <= budget ? 'met' : 'MISSED'}; ratio to node -e 0: ${(median(cli) / median(node0)).toFixed(2)}) |`,
    ];
  } finally {
    home.remove();
    await stack.close();
  }
}

const loadBefore = load();
const lines = [...(await threescaleUsage()), '', ...(await cliUsage())];
console.log([`load average before: ${loadBefore}, after: ${load()}`, '', ...lines].join('\n'));
