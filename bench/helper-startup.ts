/**
 * @module bench/helper-startup
 * How soon a fresh helper answers, in production mode (NODE_ENV=production, an external issuer, the 3scale
 * backend on the fake 3scale, no Redis): from spawn until `/api/health` answers 200, and until `/api/ready`
 * does (the issuer's keys and the catalog are in). Requirement: health within 0.6 s. The baseline is a bare
 * Fastify process with the same health route, spawned and polled the same way in the same run, alternating
 * with the helper; the ratio helper ÷ baseline is the steadier figure on a loaded machine.
 *
 * One more helper run, not timed, lists the modules the helper loaded (`bench/lib/count-modules.mjs`) and
 * checks that nothing it was not configured for is among them: the embedded issuer (oidc-provider), the
 * embedded store, the SQLite driver, the Redis client.
 *
 * Run: `node --import tsx bench/helper-startup.ts [--runs 7] [--helper-bin PATH] [--check]`
 * Prints a markdown report on stdout, progress on stderr, and writes bench/results/helper-startup.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFake3scale } from '../packages/fake-3scale/src/index.js';
import { startTestIssuer } from '../packages/helper/test/support/test-issuer.js';
import { BENCH_HOST, findFreePort } from './lib/child-server.js';
import { ensureHelperBuilt, HELPER_BIN, ROOT } from './lib/helper-build.js';
import { fmt, machineInfo, writeReport } from './lib/report.js';
import { runIfMain } from './lib/run-if-main.js';
import { wholeNumber } from './lib/options.js';

export const TARGET_HEALTH_MS = 600;
const POLL_MS = 5;
const TIMEOUT_MS = 20_000;
/** Modules that must not load when the helper runs on 3scale with an external issuer and no Redis. */
const UNCONFIGURED = [
  '/node_modules/oidc-provider/',
  '/node_modules/ioredis/',
  '/helper/dist/apim/embedded/',
  '/helper/dist/idp/embedded-idp.js',
  '/helper/dist/state/redis-',
];
/** Loaded, but only after the server listens (the audit history's driver). */
const AFTER_LISTEN = '/node_modules/better-sqlite3/';

const progress = (message: string) => process.stderr.write(`helper-startup: ${message}\n`);

const BASELINE = `const app = require('fastify')(); app.get('/api/health', async () => ({ status: 'ok' }));
app.listen({ host: process.env.HOST, port: Number(process.env.PORT) });`;

async function until(url: string, child: ChildProcess, started: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the process exited (${child.exitCode}) before ${url} answered`);
    if (performance.now() - started > TIMEOUT_MS) throw new Error(`${url} did not answer`);
    const ok = await fetch(url).then(
      async (r) => {
        await r.arrayBuffer();
        return r.status === 200;
      },
      () => false,
    );
    if (ok) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? 0;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: 'string' }, 'helper-bin': { type: 'string' }, check: { type: 'boolean' } },
  });
  const runs = wholeNumber('--runs', values.runs, 7, 1);
  const helperBin = values['helper-bin'] ?? HELPER_BIN;
  if (helperBin === HELPER_BIN) ensureHelperBuilt(progress);
  const fake = createFake3scale();
  await fake.listen(0, BENCH_HOST);
  const issuer = await startTestIssuer({ clientId: 'mlaas-cli' });
  const workDir = mkdtempSync(join(tmpdir(), 'mlaas-startup-'));
  const helperEnv = (port: number) => ({
    ...process.env,
    NODE_ENV: 'production',
    HOST: BENCH_HOST,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    OIDC_ISSUER: issuer.url,
    KEYCLOAK_CLIENT_ID: 'mlaas-cli',
    APIM_BACKEND: 'threescale',
    THREESCALE_ADMIN_API_URL: fake.url,
    THREESCALE_ADMIN_API_KEY: fake.accessToken,
    MLAAS_DATA_DIR: workDir,
  });
  const loadBefore = loadavg()[0] ?? 0;
  const baseline: number[] = [];
  const health: number[] = [];
  const ready: number[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      progress(`run ${run}/${runs}`);
      {
        const port = await findFreePort();
        const started = performance.now();
        const child = spawn(process.execPath, ['-e', BASELINE], {
          cwd: ROOT,
          env: { ...process.env, NODE_ENV: 'production', HOST: BENCH_HOST, PORT: String(port) },
          stdio: 'ignore',
        });
        baseline.push(await until(`http://${BENCH_HOST}:${port}/api/health`, child, started));
        await stop(child);
      }
      {
        const port = await findFreePort();
        const started = performance.now();
        const child = spawn(process.execPath, [helperBin], { cwd: workDir, env: helperEnv(port), stdio: 'ignore' });
        health.push(await until(`http://${BENCH_HOST}:${port}/api/health`, child, started));
        ready.push(await until(`http://${BENCH_HOST}:${port}/api/ready`, child, started));
        await stop(child);
      }
    }
    // One more run, not timed, to list what the helper loaded.
    const listFile = join(workDir, 'modules.txt');
    const port = await findFreePort();
    const child = spawn(process.execPath, ['--import', join(ROOT, 'bench', 'lib', 'count-modules.mjs'), helperBin], {
      cwd: workDir,
      env: { ...helperEnv(port), MODULE_COUNT_FILE: listFile },
      stdio: 'ignore',
    });
    await until(`http://${BENCH_HOST}:${port}/api/ready`, child, performance.now());
    child.kill('SIGUSR2');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stop(child);
    const modules = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
    const memory = JSON.parse(readFileSync(`${listFile}.memory.json`, 'utf8')) as Record<string, number>;
    const unconfigured = UNCONFIGURED.filter((part) => modules.some((m) => m.includes(part)));
    const perPackage = new Map<string, number>();
    for (const m of modules) {
      const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m);
      const name = match === null ? '(own and built-in)' : (match[1] as string);
      perPackage.set(name, (perPackage.get(name) ?? 0) + 1);
    }
    const packages = [...perPackage.keys()];

    const summary = {
      baselineMs: median(baseline),
      healthMs: median(health),
      readyMs: median(ready),
    };
    const met = summary.healthMs <= TARGET_HEALTH_MS && unconfigured.length === 0;
    const report = {
      benchmark: 'helper-startup',
      ...machineInfo(),
      loadAverage: { before: loadBefore, after: loadavg()[0] ?? 0 },
      runs: { baseline, health, ready },
      ...summary,
      ratio: summary.healthMs / summary.baselineMs,
      /** `process.memoryUsage()` of the listing run once ready, in bytes. */
      memoryWhenReady: memory,
      modules: {
        count: modules.length,
        perPackage: Object.fromEntries([...perPackage].sort((a, b) => b[1] - a[1])),
        unconfigured,
        sqliteDriverLoaded: modules.some((m) => m.includes(AFTER_LISTEN)),
      },
      met,
    };
    writeReport(
      report,
      `## helper-startup (production mode, 3scale backend, external issuer; ${runs} alternated runs; load ${fmt(loadBefore, 2)} → ${fmt(report.loadAverage.after, 2)})\n\n` +
        '| process | until `/api/health` 200, median ms | until `/api/ready` 200, median ms |\n|---|---:|---:|\n' +
        `| bare Fastify (\`require('fastify')().listen()\` with the same route) | ${fmt(summary.baselineMs, 0)} | — |\n` +
        `| helper | ${fmt(summary.healthMs, 0)} | ${fmt(summary.readyMs, 0)} |\n\n` +
        `Ratio helper ÷ bare Fastify (health): ${fmt(report.ratio, 2)}. Memory once ready: RSS ${fmt((memory.rss ?? 0) / 1048576, 1)} MiB, heap used ${fmt((memory.heapUsed ?? 0) / 1048576, 1)} MiB, external ${fmt((memory.external ?? 0) / 1048576, 1)} MiB.` +
        ` Modules loaded by the helper: ${modules.length} ` +
        `(${packages.length} packages); not configured but loaded: ${unconfigured.length === 0 ? 'none' : unconfigured.join(', ')}. ` +
        `Target (health ≤ ${TARGET_HEALTH_MS} ms, nothing unconfigured loaded): ${met ? 'met' : 'MISSED'}.\n`,
      progress,
    );
    if (values.check && !met) process.exitCode = 1;
  } finally {
    await Promise.all([fake.close(), issuer.close()]);
    rmSync(workDir, { recursive: true, force: true });
  }
}

runIfMain(import.meta.url, main);
