#!/usr/bin/env node
/**
 * @module bin/mlaas-helper
 * The `mlaas-helper` command: reads configuration from the environment, starts the server, and shuts it
 * down gracefully on SIGTERM/SIGINT (stop accepting, finish in-flight requests, close stores).
 */
import { createHelper } from '../app/create-helper.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { isMlaasError } from '../errors/mlaas-error.js';

const USAGE = `Usage: mlaas-helper [--help] [--version]

Starts the MLaaS helper API. Configuration comes from environment variables
(KEYCLOAK_URL, KEYCLOAK_REALM, KEYCLOAK_CLIENT_ID, APIM_BACKEND, ...);
see the README's configuration reference.`;

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
  if (argv.length > 0) {
    process.stderr.write(`mlaas-helper: unknown argument "${argv[0]}"\n\n${USAGE}\n`);
    return 2;
  }

  let config;
  try {
    config = loadConfig(process.env, { warn: (message) => process.stderr.write(`mlaas-helper: warning: ${message}\n`) });
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
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    const message = isMlaasError(error) ? `${error.message} (${error.code})` : (error as Error)?.message ?? String(error);
    process.stderr.write(`mlaas-helper: cannot start: ${message}\n`);
    process.exitCode = 1;
  },
);
