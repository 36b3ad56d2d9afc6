#!/usr/bin/env node
// `npm start`: the whole MLaaS journey on one machine. Builds when the build is missing or older than the
// sources, then runs `mlaas-helper --embedded` (embedded issuer + embedded store + demo users) with its data
// in ./.mlaas-data (or $MLAAS_DATA_DIR), and prints how to sign in, list services and get a key.
/* global fetch, AbortSignal */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { ROOT, prepare } from './prepare.mjs';

export { ROOT };
export const HELPER_BIN = join(ROOT, 'packages/helper/dist/bin/mlaas-helper.js');

/** Installs and builds what is missing or older than its sources (kept under this name for the demo). */
export function buildIfNeeded(log = (line) => console.error(line)) {
  prepare(log);
}

/** Resolves to null when host:port can be listened on, or to the error code (EADDRINUSE, EACCES, …) when not. */
export function probePort(host, port) {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (error) => done(error.code ?? 'EUNKNOWN'));
    server.listen({ host, port: Number(port), exclusive: true }, () => server.close(() => done(null)));
  });
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

function banner({ base, issuer, dataDir, port }) {
  const token = `${issuer}/protocol/openid-connect/token`;
  // The CLI's built-in defaults are this stack on port 5000; on any other address it is told where to go.
  const defaults = base === 'http://127.0.0.1:5000' && issuer === `${base}/realms/mlaas`;
  const keycloakUrl = issuer.replace(/\/realms\/mlaas$/, '');
  const cliEnv = defaults
    ? ''
    : `export MLAAS_KEYCLOAK_URL=${keycloakUrl} MLAAS_HELPER_URL=${base}   # this stack is not on the CLI's default port
  `;
  const webLine = process.env.WEB_UI === 'false' ? '' : `  Web page        ${base}/   (sign in as a demo user below)\n`;
  return `
MLaaS embedded stack is running.

${webLine}  Helper API      ${base}/api   (OpenAPI: ${base}/api/openapi.json)
  OIDC issuer     ${issuer}
  Device sign-in  ${issuer}/device
  Data directory  ${dataDir}
  Demo users      alice / alice     bob / bob   (loopback only)

In another terminal, from this folder: sign in, list the ML services, and get a key with the mlaas CLI

  ${cliEnv}npx mlaas login --username alice   # password: alice
  npx mlaas services list
  npx mlaas services init sentiment-analysis

or with curl:

  TOKEN=$(curl -s ${token} \\
      -d grant_type=password -d client_id=mlaas-cli -d username=alice -d password=alice \\
    | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')
  curl -s -H "Authorization: Bearer $TOKEN" ${base}/api/services
  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
      -d '{"service_id":"sentiment-analysis"}' ${base}/api/services/init

Add a user: ${dataDir === join(ROOT, '.mlaas-data') ? '' : `MLAAS_DATA_DIR=${dataDir} `}npx mlaas-helper users add NAME --email EMAIL   (then restart)
A scripted walkthrough: npm run demo.   Request logs: LOG_LEVEL=info npm start.   Stop: Ctrl-C.
${port === '5000' ? 'Another port: PORT=5050 npm start.\n' : ''}`;
}

async function main() {
  buildIfNeeded();
  const host = process.env.HOST?.trim() || '127.0.0.1';
  const port = process.env.PORT?.trim() || '5000';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const base = `http://${hostPart}:${port}`;
  const busy = await probePort(host, port);
  if (busy !== null) {
    const why = busy === 'EADDRINUSE' ? 'is already in use' : `cannot be listened on (${busy})`;
    console.error(`${hostPart}:${port} ${why}. Start on another port with: PORT=5050 npm start`);
    process.exit(1);
  }
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

  if (await waitForHealth(`${base}/api/health`, 30_000, child)) {
    const issuer = process.env.EMBEDDED_IDP_ISSUER?.trim() || `${base}/realms/mlaas`;
    process.stdout.write(banner({ base, issuer, dataDir, port }));
  } else if (child.exitCode === null) {
    console.error(`The helper did not answer on ${base}/api/health within 30 seconds.`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
