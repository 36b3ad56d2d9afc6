/**
 * @module bench/first-key
 * How many sequential upstream round trips a first key costs: `POST /api/services/init` on the fake 3scale at
 * 20 ms per call, for a user whose account exists and for a brand-new user (signup included), on a service
 * whose key is in the application (user_key) and on one whose key is a separate resource (app_id/app_key),
 * with the in-process locks and with Redis locks. Requirement: at most 4 sequential round trips for an
 * existing account, 5 for a new user.
 *
 * A round trip is counted at the fake: calls arriving within one latency of the first call of a round belong
 * to it (see `countWaves`), so concurrent calls count once and a busy machine can only add rounds. The wall
 * time divided by the latency is shown beside it as a cross-check.
 *
 * Processes: this one (the fake 3scale in-process, a loopback test issuer, a redis-server child) and the built
 * helper (`packages/helper/dist/bin/mlaas-helper.js`), once without and once with REDIS_URL.
 *
 * Run: `node --import tsx bench/first-key.ts [--runs 3] [--helper-env NAME=VALUE]... [--helper-bin PATH] [--check]`
 * Prints a markdown report on stdout, progress on stderr, and writes bench/results/first-key.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFake3scale, defaultSeed } from '../packages/fake-3scale/src/index.js';
import { startRedis, type TestRedis } from '../packages/helper/test/support/redis-server.js';
import { startTestIssuer } from '../packages/helper/test/support/test-issuer.js';
import { ensureHelperBuilt } from './lib/helper-build.js';
import { SHARED_ARG_OPTIONS, readHelperOptions, wholeNumber } from './lib/options.js';
import { fmt, machineInfo, writeReport } from './lib/report.js';
import { runIfMain } from './lib/run-if-main.js';
import { startHelper } from './lib/start-helper.js';
import { timeUpstream, type TimedRun } from './threescale-list.js';

export const TARGET_EXISTING_ROUND_TRIPS = 4;
export const TARGET_NEW_ROUND_TRIPS = 5;
const LATENCY_MS = 20;
/** Services of the default seed: a backend-version-1 product (user_key) and a version-2 one (app_id/app_key). */
const SERVICES = [
  { label: 'user_key', systemName: 'llm-chat' },
  { label: 'app_id', systemName: 'image-classifier' },
] as const;

const progress = (message: string) => process.stderr.write(`first-key: ${message}\n`);

interface Cell {
  locks: 'memory' | 'redis';
  service: string;
  account: 'existing' | 'new';
  runs: Array<TimedRun & { status: number; isNew: boolean }>;
  medianWaves: number;
  maxWaves: number;
  medianWallMs: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { ...SHARED_ARG_OPTIONS, runs: { type: 'string' } } });
  const helperOptions = readHelperOptions(values);
  const runs = wholeNumber('--runs', values.runs, 3, 1);
  ensureHelperBuilt(progress);

  const seed = defaultSeed();
  // A first key on the measured services creates an application: without a default application plan, signup
  // subscribes the new account to nothing there (the helper then creates on the first published plan).
  for (const service of seed.services ?? []) {
    if (SERVICES.some((s) => s.systemName === service.system_name)) {
      for (const plan of service.plans ?? []) plan.default = false;
    }
  }
  const fake = createFake3scale({ seed });
  await fake.listen(0, '127.0.0.1');
  const issuer = await startTestIssuer();
  let redis: TestRedis | null = null;
  const workDir = mkdtempSync(join(tmpdir(), 'mlaas-first-key-'));
  const cells: Cell[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  let user = 0;
  try {
    redis = await startRedis();
    for (const locks of ['memory', 'redis'] as const) {
      const helper = await startHelper({
        ...helperOptions,
        helperEnv: { ...(locks === 'redis' ? { REDIS_URL: redis.url } : {}), ...helperOptions.helperEnv },
        backend: { kind: 'threescale', adminApi: { url: fake.url, accessToken: fake.accessToken } },
        issuerUrl: issuer.url,
        workDir,
      });
      try {
        const tokenOf = (username: string) =>
          issuer.token({
            expiresIn: 3_600,
            claims: {
              sub: `sub-${username}`,
              soeid: username,
              preferred_username: username,
              email: `${username}@example.test`,
              email_verified: true,
            },
          });
        // Warm the helper (issuer keys, catalog) with a user who plays no part below.
        await fetch(`${helper.baseUrl}/api/services`, {
          headers: { authorization: `Bearer ${await tokenOf('warm-up')}` },
        }).then((r) => r.arrayBuffer());
        const idOf = (systemName: string) =>
          String(fake.state.listServices().find((s) => s.systemName === systemName)?.id);
        for (const service of SERVICES) {
          for (const account of ['existing', 'new'] as const) {
            const cell: Cell = {
              locks,
              service: service.label,
              account,
              runs: [],
              medianWaves: 0,
              maxWaves: 0,
              medianWallMs: 0,
            };
            for (let run = 0; run < runs; run++) {
              const username = `fk-${locks}-${user++}`;
              if (account === 'existing') {
                fake.state.signup({
                  orgName: username,
                  username,
                  email: `${username}@example.test`,
                  password: 'bench-password-0123456789',
                });
              }
              const token = await tokenOf(username);
              // The token's first verification is not part of the key's cost (the list's calls are not counted).
              await fetch(`${helper.baseUrl}/api/services`, { headers: { authorization: `Bearer ${token}` } }).then(
                (r) => r.arrayBuffer(),
              );
              fake.setLatency('*', LATENCY_MS);
              let status = 0;
              let isNew = false;
              const timed = await timeUpstream(fake, LATENCY_MS, async () => {
                const r = await fetch(`${helper.baseUrl}/api/services/init`, {
                  method: 'POST',
                  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
                  body: JSON.stringify({ service_id: idOf(service.systemName) }),
                });
                status = r.status;
                isNew = ((await r.json()) as { data?: { is_new?: boolean } }).data?.is_new === true;
              });
              fake.setLatency('*', null);
              if (status !== 200 || !isNew)
                throw new Error(`init answered ${status} (is_new ${isNew}) for ${username}`);
              cell.runs.push({ ...timed, status, isNew });
            }
            cell.medianWaves = median(cell.runs.map((r) => r.waves));
            cell.maxWaves = Math.max(...cell.runs.map((r) => r.waves));
            cell.medianWallMs = median(cell.runs.map((r) => r.wallMs));
            progress(`${locks} locks, ${service.label}, ${account} account: ${cell.medianWaves} round trips`);
            cells.push(cell);
          }
        }
      } finally {
        await helper.stop();
      }
    }
    const target = (cell: Cell) => (cell.account === 'existing' ? TARGET_EXISTING_ROUND_TRIPS : TARGET_NEW_ROUND_TRIPS);
    const met = cells.every((cell) => cell.maxWaves <= target(cell));
    const calls = (run: TimedRun) =>
      Object.entries(run.calls)
        .filter(([, n]) => (n ?? 0) > 0)
        .map(([endpoint, n]) => `${endpoint}${n === 1 ? '' : ` ×${n}`}`)
        .join(', ');
    const report = {
      benchmark: 'first-key',
      ...machineInfo(),
      loadAverage: { before: loadBefore, after: loadavg()[0] ?? 0 },
      latencyMs: LATENCY_MS,
      runs,
      cells,
      met,
    };
    writeReport(
      report,
      `## first-key (fake 3scale at ${LATENCY_MS} ms per call, ${runs} runs per row; load ${fmt(loadBefore, 2)} → ${fmt(report.loadAverage.after, 2)})\n\n` +
        '| locks | service | account | round trips (median / max) | target | wall ms (median) | wall ÷ latency | upstream calls (first run) |\n' +
        '|---|---|---|---:|---:|---:|---:|---|\n' +
        cells
          .map(
            (c) =>
              `| ${c.locks} | ${c.service} | ${c.account} | ${c.medianWaves} / ${c.maxWaves} | ${target(c)} | ${fmt(c.medianWallMs, 0)} | ${fmt(c.medianWallMs / LATENCY_MS, 2)} | ${c.runs[0] === undefined ? '' : calls(c.runs[0])} |`,
          )
          .join('\n') +
        `\n\nTarget (at most ${TARGET_EXISTING_ROUND_TRIPS} round trips for an existing account, ${TARGET_NEW_ROUND_TRIPS} for a new user): ${met ? 'met' : 'MISSED'}.\n`,
      progress,
    );
    if (values.check && !met) process.exitCode = 1;
  } finally {
    await Promise.all([fake.close(), issuer.close(), redis?.stop()]);
    rmSync(workDir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
