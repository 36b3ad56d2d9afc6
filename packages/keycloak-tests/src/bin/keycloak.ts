#!/usr/bin/env node
/**
 * @module bin/keycloak
 * `npm run keycloak`: a real Keycloak on 127.0.0.1 with the project's realm, for trying the CLI and the
 * helper against the identity server they are built for. Prints where it is and how to point the helper
 * and the CLI at it; SIGINT/SIGTERM stop it and delete its throw-away home. Exit codes: 0 stopped, 1 could
 * not start, 2 usage error.
 */
import { parseArgs } from 'node:util';
import { KeycloakError } from '../errors.js';
import { DEFAULT_KEYCLOAK_PORT, REALM_FILE, startKeycloak, type Keycloak } from '../start-keycloak.js';

const USAGE = `Usage: npm run keycloak -- [--port N] [--realm-file FILE]... [--verbose]

Starts Keycloak (start-dev) on http://127.0.0.1:N with the realm imported, a throw-away
database and the bootstrap admin admin/admin. The distribution is fetched once with Maven into
~/.m2 and unpacked into ~/.cache/mlaas; it needs a JDK 21 or newer (KEYCLOAK_JAVA_HOME to choose).

  --port N            HTTP port (default ${DEFAULT_KEYCLOAK_PORT})
  --realm-file FILE   realm to import (default deploy/keycloak/realm-mlaas.json); repeatable
  --verbose           print Keycloak's log
  --help              show this help`;

function fail(message: string, code: number): never {
  console.error(`keycloak: ${message}`);
  process.exit(code);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      'realm-file': { type: 'string', multiple: true },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }));
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = values.port === undefined ? DEFAULT_KEYCLOAK_PORT : Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65_535) fail(`--port must be a port number, got "${values.port}"`, 2);
const realmFiles = values['realm-file'] ?? [REALM_FILE];

let keycloak: Keycloak | undefined;
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.error('Stopping Keycloak…');
    await keycloak?.close();
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  console.error(`Starting Keycloak on 127.0.0.1:${port} (the first start builds it: a minute or two)…`);
  keycloak = await startKeycloak({
    port,
    realmFiles,
    log: (message) => console.error(message),
    ...(values.verbose ? { onOutput: (text: string) => process.stderr.write(text) } : {}),
  });
} catch (error) {
  if (error instanceof KeycloakError) {
    if (error.output !== '') console.error(error.output);
    fail(error.message, 1);
  }
  throw error;
}
if (stopping) await shutdown(0);

const issuer = keycloak.issuer();
process.stdout.write(`Keycloak ${keycloak.version} is ready on ${keycloak.url}
  realm:         ${keycloak.realm} (issuer ${issuer})
  admin console: ${keycloak.url}/admin (${keycloak.admin.username} / ${keycloak.admin.password})
  users:         alice / alice, bob / bob (from the shipped realm)
  home:          ${keycloak.home} (deleted on stop)

Run the helper against it:
  KEYCLOAK_URL=${keycloak.url} KEYCLOAK_REALM=${keycloak.realm} KEYCLOAK_CLIENT_ID=mlaas-cli APIM_BACKEND=embedded npx mlaas-helper
Sign in with the CLI:
  npx mlaas --keycloak-url ${keycloak.url} --keycloak-realm ${keycloak.realm} login

Ctrl-C stops Keycloak.
`);

// Keycloak stopping by itself (crash, killed) ends this command too.
const watch = setInterval(() => {
  if (!stopping && !keycloak?.isRunning()) {
    clearInterval(watch);
    console.error(`keycloak: Keycloak exited by itself:\n${keycloak?.output().split('\n').slice(-20).join('\n')}`);
    void shutdown(1);
  }
}, 1_000);
