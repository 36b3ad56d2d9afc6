/**
 * @module scripts/schemathesis-helper
 * Starts what the API fuzzer (scripts/schemathesis.sh) runs against, with rate limits off (the fuzzer would
 * otherwise measure 429s): by default the embedded stack as `npm start` serves it (embedded issuer, embedded
 * store, demo users) in a temporary data directory, signed in as a demo user with the password grant — so the
 * document fuzzed is the one a newcomer sees; with `--backend threescale`, a loopback test issuer and a helper
 * on the 3scale adapter against the fake 3scale. Prints one line on
 * stdout, `{"url":"http://127.0.0.1:N","token":"…"}` with an access token valid for an hour, and stops
 * everything on SIGTERM or SIGINT (removing the data directory).
 *
 * With `--schema FILE`, it also writes the served OpenAPI document to FILE with two additions for the fuzzer,
 * and adds `"schema":FILE` to the line: request-body examples for `POST /api/services/init` (ids and names
 * from the services list, so generated cases reach key provisioning instead of stopping at 404), and
 * OpenAPI links from `GET /api/services` to that operation (the stateful phase feeds listed ids into init).
 * Nothing else in the document changes, so responses are still checked against what the helper serves.
 *
 * Run: `node --import tsx scripts/schemathesis-helper.ts [--backend embedded|threescale] [--schema FILE]`
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createFake3scale, type Fake3scale } from '../packages/fake-3scale/src/index.js';
import { createHelper } from '../packages/helper/src/app/create-helper.js';
import { embeddedStackEnv, loadConfig } from '../packages/helper/src/config/load-config.js';
import { createLogger } from '../packages/helper/src/log/logger.js';
import { startTestIssuer, type TestIssuer } from '../packages/helper/test/support/test-issuer.js';

/** Outlives any fuzzing run, so every request carries a valid token. */
const TOKEN_LIFETIME_SECONDS = 3_600;
/** Listed services linked into init by the stateful phase (one link per list position). */
const LINKED_SERVICES = 4;
const INIT_PATH = '/api/services/init';
const LIST_PATH = '/api/services';

const { values: args } = parseArgs({
  options: { schema: { type: 'string' }, backend: { type: 'string', default: 'embedded' } },
});
if (args.backend !== 'embedded' && args.backend !== 'threescale')
  throw new Error(`--backend must be embedded or threescale, not ${args.backend}`);

const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-fuzz-'));
const noRateLimits = {
  HOST: '127.0.0.1',
  PORT: '0',
  MLAAS_DATA_DIR: dataDir,
  RATE_LIMIT_USER_PER_MINUTE: '0',
  RATE_LIMIT_IP_PER_MINUTE: '0',
  RATE_LIMIT_INIT_PER_MINUTE: '0',
};
let issuer: TestIssuer | null = null;
let fake: Fake3scale | null = null;
let config;
if (args.backend === 'threescale') {
  issuer = await startTestIssuer();
  fake = createFake3scale();
  await fake.listen();
  config = loadConfig({
    ...noRateLimits,
    OIDC_ISSUER: issuer.url,
    KEYCLOAK_CLIENT_ID: issuer.clientId,
    APIM_BACKEND: 'threescale',
    THREESCALE_ADMIN_API_URL: fake.url,
    THREESCALE_ADMIN_API_KEY: fake.accessToken,
  });
} else {
  config = loadConfig(
    embeddedStackEnv({ ...noRateLimits, EMBEDDED_IDP_ACCESS_TOKEN_TTL_SECONDS: String(TOKEN_LIFETIME_SECONDS) }),
  );
}
// Warnings and errors only, on stderr: a 5xx is logged with its stack there, next to the failing case.
const helper = await createHelper(config, {
  logger: createLogger({ level: 'warn', destination: process.stderr }),
  defaultMetrics: false,
});
const url = await helper.listen();
const token =
  issuer !== null
    ? await issuer.token({
        expiresIn: TOKEN_LIFETIME_SECONDS,
        // A user the fake's default tenant does not know: the fuzzer's inits sign a new account up.
        claims: { sub: 'fuzz-user', preferred_username: 'fuzz', email: 'fuzz@example.test' },
      })
    : await demoUserToken(`${helper.embeddedIdp?.issuer ?? ''}/protocol/openid-connect/token`);
if (args.schema !== undefined) writeFileSync(args.schema, JSON.stringify(await fuzzingDocument(url, token), null, 2));
process.stdout.write(
  `${JSON.stringify({ url, token, ...(args.schema !== undefined ? { schema: args.schema } : {}) })}\n`,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await helper.close();
  await Promise.all([issuer?.close(), fake?.close()]);
  rmSync(dataDir, { recursive: true, force: true });
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stop());

/** An access token of the demo user alice from the embedded issuer (password grant, as the CLI signs in). */
async function demoUserToken(tokenEndpoint: string): Promise<string> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: 'mlaas-cli', username: 'alice', password: 'alice' }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || body.access_token === undefined)
    throw new Error(`the embedded issuer refused the demo sign-in (${response.status})`);
  return body.access_token;
}

type OpenApiDocument = { paths: Record<string, Record<string, Record<string, unknown>>> };

/** The served document, with init examples taken from the live list and links from the list into init. */
async function fuzzingDocument(base: string, bearer: string): Promise<OpenApiDocument> {
  const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as OpenApiDocument;
  const listing = (await (
    await fetch(`${base}${LIST_PATH}`, { headers: { authorization: `Bearer ${bearer}` } })
  ).json()) as {
    data: { services: { id: string; name: string }[] };
  };
  const init = doc.paths[INIT_PATH]?.post;
  const list = doc.paths[LIST_PATH]?.get;
  if (init === undefined || list === undefined) throw new Error('the served document lacks the services operations');
  const media = (init.requestBody as { content: Record<string, Record<string, unknown>> }).content['application/json'];
  if (media === undefined) throw new Error('init takes no application/json body in the served document');
  const services = listing.data.services;
  media.examples = Object.fromEntries(
    services.flatMap((service, i) => [
      [`by_id_${i}`, { value: { service_id: service.id } }],
      [`by_name_${i}`, { value: { service_name: service.name } }],
    ]),
  );
  const ok = (list.responses as Record<string, Record<string, unknown>>)['200'];
  if (ok === undefined) throw new Error('the list has no 200 response in the served document');
  ok.links = Object.fromEntries(
    Array.from({ length: Math.min(LINKED_SERVICES, services.length) }, (_, i) => [
      `InitListedService${i}`,
      {
        operationRef: `#/paths/${INIT_PATH.replaceAll('/', '~1')}/post`,
        requestBody: { service_id: `$response.body#/data/services/${i}/id` },
        description: `The id of the service at position ${i} of the list gets its key from init.`,
      },
    ]),
  );
  return doc;
}
