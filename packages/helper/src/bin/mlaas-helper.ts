#!/usr/bin/env node
/**
 * @module bin/mlaas-helper
 * The `mlaas-helper` command: reads configuration from the environment, starts the server, and shuts it
 * down gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close stores).
 */
import { createHelper } from '../app/create-helper.js';
import { ConfigError, embeddedStackEnv, loadConfig } from '../config/load-config.js';
import { isHelperError } from '../errors/helper-error.js';

const USAGE = `Usage: mlaas-helper [--embedded] [--help] [--version]
       mlaas-helper users add NAME --email EMAIL [--soeid ID] [--password-stdin]
       mlaas-helper users disable NAME | users enable NAME
       mlaas-helper keys rotate
       mlaas-helper reconcile [--dry-run] [--json]
       mlaas-helper audit [--user ID] [--limit N] [--before ID] [--json]

Starts the MLaaS helper API. Configuration comes from environment variables
(KEYCLOAK_URL, KEYCLOAK_REALM, KEYCLOAK_CLIENT_ID, APIM_BACKEND, ...);
see the README's configuration reference.

  --embedded   run the whole stack in this process: embedded OpenID Connect issuer
               (demo users alice/alice and bob/bob, password grant on), embedded
               API-management store, on http://127.0.0.1:5000 unless HOST/PORT say
               otherwise. Also: EMBEDDED_IDP=true for the issuer alone.

  reconcile    enforce key deadlines due now (expiry, end of a grace period) and
               offboarding (suspend keys of people gone, disabled or no longer
               entitled; resume on reinstatement) once and exit; --dry-run lists
               what it would do without changing anything
  audit        print key events of every user (--user: one), newest first`;

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (argv.includes('--version')) {
    const { HELPER_VERSION } = await import('../version.js');
    process.stdout.write(`${HELPER_VERSION}\n`);
    return 0;
  }
  if (argv[0] === 'users' || argv[0] === 'keys') {
    const { runAdminCommand } = await import('../idp/admin-commands.js');
    return runAdminCommand(argv, {
      env: process.env,
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
    });
  }
  if (argv[0] === 'reconcile' || argv[0] === 'audit') {
    const { runOperatorCommand } = await import('../app/operator-commands.js');
    return runOperatorCommand(argv, { env: process.env, stdout: process.stdout, stderr: process.stderr });
  }
  const embedded = argv.includes('--embedded');
  const unknown = argv.find((arg) => arg !== '--embedded');
  if (unknown !== undefined) {
    process.stderr.write(`mlaas-helper: unknown argument "${unknown}"\n\n${USAGE}\n`);
    return 2;
  }

  let config;
  try {
    config = loadConfig(embedded ? embeddedStackEnv(process.env) : process.env, {
      warn: (message) => process.stderr.write(`mlaas-helper: warning: ${message}\n`),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mlaas-helper: ${error.message}\n`);
      return 78; // EX_CONFIG
    }
    throw error;
  }

  const helper = await createHelper(config);
  const log = helper.app.log;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      log.error({ timeout_ms: config.limits.shutdownTimeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.limits.shutdownTimeoutMs);
    force.unref();
    helper.close().then(
      () => {
        log.info('stopped');
        process.exitCode = 0;
      },
      (error: unknown) => {
        log.error({ err: error }, 'error while shutting down');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  const url = await helper.listen();
  log.info({ url, backend: config.apim.backend, issuer: config.oidc.issuer }, 'mlaas-helper listening');
  if (helper.embeddedIdp !== null) {
    log.info(
      { issuer: helper.embeddedIdp.issuer, users: helper.embeddedIdp.usernames },
      'embedded OpenID Connect issuer ready',
    );
  }
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    const message = isHelperError(error)
      ? `${error.message} (${error.code})`
      : ((error as Error)?.message ?? String(error));
    process.stderr.write(`mlaas-helper: cannot start: ${message}\n`);
    process.exitCode = 1;
  },
);
