#!/usr/bin/env node
// `npm run demo`: a non-interactive walkthrough of the MLaaS journey against a fresh embedded stack on a
// free port, with its data in a temporary directory. Each step is checked; any failure exits non-zero.
/* global fetch, URLSearchParams */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HELPER_BIN, ROOT, buildIfNeeded, waitForHealth } from './start.mjs';

const HOST = '127.0.0.1';
const USER = { username: 'alice', password: 'alice' };

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

class StepFailed extends Error {}
let stepNumber = 0;
async function step(title, run) {
  stepNumber += 1;
  process.stdout.write(`\n${stepNumber}. ${title}\n`);
  try {
    const result = await run();
    process.stdout.write('   ✓ ok\n');
    return result;
  } catch (error) {
    process.stdout.write(`   ✗ ${error.message}\n`);
    throw new StepFailed(error.message);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function json(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}: not JSON: ${text.slice(0, 200)}`);
  }
}

/** A curl command that calls the service with the key where its gateway expects it. */
function curlExample(service, apiKey) {
  const endpoint = service.proxy_endpoint ?? '<gateway endpoint>';
  const { location, key_parameter: parameter } = service.credentials ?? {};
  const body = `-H 'Content-Type: application/json' -d '{"text": "MLaaS makes this easy"}'`;
  switch (location) {
    case 'header':
      return `curl -s ${body} -H '${parameter}: ${apiKey}' '${endpoint}'`;
    case 'query': {
      const url = new URL(endpoint);
      url.searchParams.set(parameter, apiKey);
      return `curl -s ${body} '${url.href}'`;
    }
    case 'basic':
      return `curl -s ${body} -u '${apiKey}:' '${endpoint}'`;
    default:
      throw new Error(`unknown credentials location "${location}"`);
  }
}

/** The same call as {@link curlExample}, for fetch. */
function gatewayRequest(service, apiKey) {
  const url = new URL(service.proxy_endpoint);
  const headers = { 'content-type': 'application/json' };
  const { location, key_parameter: parameter } = service.credentials;
  if (location === 'header') headers[parameter] = apiKey;
  else if (location === 'query') url.searchParams.set(parameter, apiKey);
  else headers.authorization = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
  return { url: url.href, init: { method: 'POST', headers, body: JSON.stringify({ text: 'MLaaS makes this easy' }) } };
}

async function walkthrough(base) {
  const issuer = `${base}/realms/mlaas`;

  const discovery = await step(`Discover the OpenID issuer at ${issuer}`, async () => {
    const document = await json(await fetch(`${issuer}/.well-known/openid-configuration`));
    check(document.issuer === issuer, `the discovery document names issuer ${document.issuer}`);
    check(typeof document.token_endpoint === 'string', 'no token endpoint');
    process.stdout.write(`   token endpoint: ${document.token_endpoint}\n`);
    return document;
  });

  const accessToken = await step(`Sign in as ${USER.username} (password grant)`, async () => {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'mlaas-cli',
        ...USER,
        scope: 'openid profile email',
      }),
    });
    const body = await json(response);
    check(response.status === 200, `HTTP ${response.status}: ${body.error}: ${body.error_description}`);
    check(
      typeof body.access_token === 'string' && typeof body.refresh_token === 'string',
      'no access or refresh token',
    );
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1], 'base64url').toString());
    process.stdout.write(
      `   signed in as ${claims.preferred_username} <${claims.email}>, token valid ${body.expires_in} s\n`,
    );
    return body.access_token;
  });
  const auth = { authorization: `Bearer ${accessToken}` };

  const services = await step('List the ML services', async () => {
    const response = await fetch(`${base}/api/services`, { headers: auth });
    const body = await json(response);
    check(
      response.status === 200 && body.status === 'success',
      `HTTP ${response.status}: ${JSON.stringify(body.error)}`,
    );
    const list = body.data.services;
    check(Array.isArray(list) && list.length > 0, 'no services listed');
    for (const service of list) {
      process.stdout.write(
        `   - ${service.id.padEnd(24)} ${service.name.padEnd(28)} key: ${service.has_api_key ? 'yes' : 'no'}\n`,
      );
    }
    return list;
  });

  const service = services.find((s) => s.id === 'sentiment-analysis') ?? services[0];
  const initService = () =>
    fetch(`${base}/api/services/init`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ service_id: service.id }),
    });
  const key = await step(`Get an API key for "${service.name}"`, async () => {
    const response = await initService();
    const body = await json(response);
    check(
      response.status === 200 && body.status === 'success',
      `HTTP ${response.status}: ${JSON.stringify(body.error)}`,
    );
    check(typeof body.data.api_key === 'string' && body.data.api_key.length >= 16, 'no API key in the answer');
    process.stdout.write(`   plan: ${body.data.plan.name}, new key: ${body.data.is_new}\n`);
    process.stdout.write(`   API key: ${body.data.api_key}\n`);
    return body.data.api_key;
  });

  await step('Asking again returns the same key (idempotent)', async () => {
    const response = await initService();
    const body = await json(response);
    check(response.status === 200, `HTTP ${response.status}`);
    check(body.data.api_key === key && body.data.is_new === false, 'a different key, or a new one, came back');
  });

  await step('The list now shows the key (preview only)', async () => {
    const body = await json(await fetch(`${base}/api/services`, { headers: auth }));
    const listed = body.data.services.find((s) => s.id === service.id);
    check(listed?.has_api_key === true, 'has_api_key is not true');
    process.stdout.write(`   preview: ${listed.api_key_preview}\n`);
  });

  await step(`Call "${service.name}" with the key`, async () => {
    const example = curlExample(service, key);
    process.stdout.write(
      `   credentials: ${service.credentials.location}${service.credentials.key_parameter ? ` (${service.credentials.key_parameter})` : ''}\n`,
    );
    process.stdout.write(`   ${example}\n`);
    // Run it when the gateway is this very server (the embedded stack's stand-in gateway).
    if (typeof service.proxy_endpoint === 'string' && service.proxy_endpoint.startsWith(`${base}/`)) {
      const { url, init } = gatewayRequest(service, key);
      const response = await fetch(url, init);
      check(response.ok, `the gateway answered HTTP ${response.status}`);
      process.stdout.write(`   → HTTP ${response.status}: ${(await response.text()).slice(0, 200)}\n`);
    } else {
      process.stdout.write(
        `   (the gateway ${service.proxy_endpoint} is not part of this run; the command is what to use)\n`,
      );
    }
  });
}

async function main() {
  buildIfNeeded();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-demo-'));
  const base = `http://${HOST}:${port}`;
  process.stdout.write(`MLaaS demo: a fresh embedded stack on ${base} (data in ${dataDir})\n`);
  const child = spawn(process.execPath, [HELPER_BIN, '--embedded'], {
    cwd: ROOT,
    env: { ...process.env, HOST, PORT: String(port), MLAAS_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let failed = false;
  try {
    await step('Start the helper with the embedded issuer and store', async () => {
      check(
        await waitForHealth(`${base}/api/health`, 30_000, child),
        'the helper did not become healthy within 30 seconds',
      );
    });
    await walkthrough(base);
    process.stdout.write('\nDemo complete: every step passed.\n');
  } catch (error) {
    failed = true;
    if (!(error instanceof StepFailed)) console.error(error);
    process.stdout.write('\nDemo failed.\n');
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
