/**
 * @module test/support/clients
 * The parts under test, pointed at the suite's Keycloak: the built `mlaas` executable (run through the
 * CLI tests' `runCli`, with its own config directory and the `--keycloak-url`, `--keycloak-realm` and
 * `--mlaas-helper-url` flags), a helper in this process, and headless Chromium on Keycloak's own pages.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHelper, createLogger, loadConfig, type Helper } from '@mlaas/helper';
import type { Page } from 'playwright-core';
import {
  makeHome,
  readCredentials,
  ROOT,
  runCli,
  type CliResult,
  type RunOptions,
} from '../../../cli/test/support/stack.js';
import { captureLines } from '../../../helper/test/support/capture-log.js';
import type { Keycloak } from '../../src/index.js';
import { CLIENT_ID } from './keycloak-admin.js';

/** The CLI as users run it, from `npm run build`. */
export const CLI_BIN = join(ROOT, 'packages', 'cli', 'dist', 'bin', 'mlaas.js');

/** One CLI user: a config directory of their own and the flags that point the CLI at this Keycloak. */
export interface CliUser {
  configDir: string;
  /** Runs `mlaas <global flags> ...args`. */
  run(args: readonly string[], options?: RunOptions): Promise<CliResult>;
  /** Signs in with the password grant (password on stdin); asserts it worked. */
  login(username: string, password?: string): Promise<CliResult>;
  /** The tokens stored for the default profile. */
  tokens(): { accessToken: string; refreshToken: string; expiresAt: number };
  remove(): void;
}

/**
 * A CLI user against this Keycloak and (optionally) a helper.
 *
 * @example
 * ```ts
 * const user = cliUser(keycloak, { helperUrl: helper.url });
 * await user.login('alice');
 * const list = await user.run(['services', 'list', '--json']);
 * ```
 */
export function cliUser(keycloak: Keycloak, options: { realm?: string; helperUrl?: string } = {}): CliUser {
  assert.ok(existsSync(CLI_BIN), `${CLI_BIN} is missing: run npm run build first`);
  const home = makeHome();
  const flags = [
    '--keycloak-url',
    keycloak.url,
    '--keycloak-realm',
    options.realm ?? keycloak.realm,
    '--keycloak-client-id',
    CLIENT_ID,
    ...(options.helperUrl !== undefined ? ['--mlaas-helper-url', options.helperUrl] : []),
  ];
  const run = (args: readonly string[], runOptions: RunOptions = {}) =>
    runCli([...flags, ...args], {
      ...runOptions,
      executable: CLI_BIN,
      env: { MLAAS_CONFIG_DIR: home.configDir, MLAAS_TOKEN_STORE: 'file', ...runOptions.env },
    });
  return {
    configDir: home.configDir,
    run,
    async login(username, password = username) {
      const result = await run(['login', '--password', '--username', username, '--password-stdin'], {
        input: `${password}\n`,
      });
      assert.equal(result.code, 0, result.stderr);
      return result;
    },
    tokens: () =>
      readCredentials(home.configDir).profiles.default as {
        accessToken: string;
        refreshToken: string;
        expiresAt: number;
      },
    remove: home.remove,
  };
}

/** A helper served by this process. */
export interface RunningHelper {
  helper: Helper;
  url: string;
  logs: string[];
  /** `GET /api/services` with a bearer token. */
  listServices(token: string): Promise<{
    status: number;
    body: { status: string; data?: Record<string, unknown>; error?: { code: string; message: string } };
  }>;
  /** `POST /api/services/init` for a service id, with a bearer token. */
  init(
    token: string,
    serviceId: string,
  ): Promise<{ status: number; body: { status: string; error?: { code: string; message: string } } }>;
  close(): Promise<void>;
}

/**
 * Starts a helper on the embedded store that trusts this Keycloak's realm (`KEYCLOAK_URL` +
 * `KEYCLOAK_REALM` + `KEYCLOAK_CLIENT_ID`, as deployed), with `env` on top.
 *
 * @example
 * ```ts
 * const helper = await startHelper(keycloak, { OIDC_ACCEPT_AZP: 'true' });
 * ```
 */
export async function startHelper(keycloak: Keycloak, env: Record<string, string> = {}): Promise<RunningHelper> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-kc-helper-'));
  const { stream: sink, lines: logs } = captureLines();
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    KEYCLOAK_URL: keycloak.url,
    KEYCLOAK_REALM: keycloak.realm,
    KEYCLOAK_CLIENT_ID: CLIENT_ID,
    APIM_BACKEND: 'embedded',
    MLAAS_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    RATE_LIMIT_USER_PER_MINUTE: '0',
    RATE_LIMIT_IP_PER_MINUTE: '0',
    RATE_LIMIT_INIT_PER_MINUTE: '0',
    ...env,
  });
  const helper = await createHelper(config, {
    logger: createLogger({ level: 'info', destination: sink }),
    defaultMetrics: false,
  });
  const url = await helper.listen();
  return {
    helper,
    url,
    logs,
    async listServices(token) {
      const response = await fetch(`${url}/api/services`, { headers: { authorization: `Bearer ${token}` } });
      return {
        status: response.status,
        body: (await response.json()) as Awaited<ReturnType<RunningHelper['listServices']>>['body'],
      };
    },
    async init(token, serviceId) {
      const response = await fetch(`${url}/api/services/init`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ service_id: serviceId }),
      });
      return {
        status: response.status,
        body: (await response.json()) as Awaited<ReturnType<RunningHelper['init']>>['body'],
      };
    },
    async close() {
      await helper.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { CHROMIUM, chromiumSkip, launchChromium } from '../../../helper/test/support/chromium.js';

/** Fills in Keycloak's own login page (ids of its login theme) and submits it. */
export async function signInOnKeycloak(page: Page, username: string, password = username): Promise<void> {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('#kc-login').click();
}

/** Resolves with the first match of a pattern in text that arrives in pieces (a CLI's stderr). */
export function waitForText(pattern: RegExp): { feed: (text: string) => void; match: Promise<RegExpExecArray> } {
  let seen = '';
  let resolve: (match: RegExpExecArray) => void = () => undefined;
  const match = new Promise<RegExpExecArray>((done) => (resolve = done));
  return {
    feed(text) {
      seen += text;
      const found = pattern.exec(seen);
      if (found) resolve(found);
    },
    match,
  };
}
