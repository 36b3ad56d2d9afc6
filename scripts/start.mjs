#!/usr/bin/env node
// `npm start`: the whole MLaaS journey on one machine. Builds when the build is missing or older than the
// sources, then runs `mlaas-helper --embedded` (embedded issuer + embedded store + demo users) with its data
// in ./.mlaas-data (or $MLAAS_DATA_DIR), and prints how to sign in, list services and get a key.
/* global fetch, AbortSignal */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '..');
export const HELPER_BIN = join(ROOT, 'packages/helper/dist/bin/mlaas-helper.js');
const PACKAGES = ['contract', 'helper'];

function newestMtime(path) {
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** True when a package's dist is missing or older than its sources. */
function isStale(name) {
  const src = join(ROOT, 'packages', name, 'src');
  const dist = join(ROOT, 'packages', name, 'dist');
  if (!existsSync(dist) || !existsSync(join(dist, 'index.js'))) return true;
  return newestMtime(src) > newestMtime(dist);
}

/** Runs `npm run build` when any package needs it; exits the process when the build fails. */
export function buildIfNeeded(log = (line) => console.error(line)) {
  const stale = PACKAGES.filter(isStale);
  if (stale.length === 0) return;
  log(`Building (${stale.join(', ')} changed since the last build)…`);
  const result = spawnSync('npm', ['run', 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    console.error('The build failed; fix the errors above and run `npm start` again.');
    process.exit(result.status ?? 1);
  }
}

/** Polls a URL until it answers 200, or gives up after `timeoutMs`. */
export async function waitForHealth(url, timeoutMs = 20_000, child = null) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child !== null && child.exitCode !== null) return false;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return true;
    } catch {
      // Not listening yet.
    }
    await sleep(150);
  }
  return false;
}

function banner({ base, issuer, dataDir }) {
  const token = `${issuer}/protocol/openid-connect/token`;
  return `
MLaaS embedded stack is running.

  Helper API      ${base}/api   (OpenAPI: ${base}/api/openapi.json)
  OIDC issuer     ${issuer}
  Device sign-in  ${issuer}/device
  Data directory  ${dataDir}
  Demo users      alice / alice     bob / bob   (loopback only)

Sign in, list the ML services, and get a key (the mlaas CLI will do this for you; with curl):

  TOKEN=$(curl -s ${token} \\
      -d grant_type=password -d client_id=mlaas-cli -d username=alice -d password=alice \\
    | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')

  curl -s -H "Authorization: Bearer $TOKEN" ${base}/api/services

  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
      -d '{"service_id":"sentiment-analysis"}' ${base}/api/services/init

Add a user: npx mlaas-helper users add NAME --email EMAIL   (then restart)
A scripted walkthrough: npm run demo.   Request logs: LOG_LEVEL=info npm start.   Stop: Ctrl-C.
`;
}

async function main() {
  buildIfNeeded();
  const host = process.env.HOST?.trim() || '127.0.0.1';
  const port = process.env.PORT?.trim() || '5000';
  const dataDir = resolve(process.env.MLAAS_DATA_DIR?.trim() || join(ROOT, '.mlaas-data'));
  const env = {
    ...process.env,
    HOST: host,
    PORT: port,
    MLAAS_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  };
  const child = spawn(process.execPath, [HELPER_BIN, '--embedded'], { cwd: ROOT, env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));

  const hostPart = host.includes(':') ? `[${host}]` : host;
  const base = `http://${hostPart}:${port}`;
  if (await waitForHealth(`${base}/api/health`, 30_000, child)) {
    const issuer = process.env.EMBEDDED_IDP_ISSUER?.trim() || `${base}/realms/mlaas`;
    process.stdout.write(banner({ base, issuer, dataDir }));
  } else if (child.exitCode === null) {
    console.error(`The helper did not answer on ${base}/api/health within 30 seconds.`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
