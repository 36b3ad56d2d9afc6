/**
 * @module test/support/stack
 * The embedded stack for end-to-end tests: a real helper (embedded issuer with the demo users, embedded
 * store) on a free loopback port with its data in a temp directory, in this process, so tests can count
 * what the issuer did (refresh grants). Plus `runCli`: runs the real `mlaas` executable (from source, via
 * tsx) in a child process with its own config directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHelper, createLogger, loadConfig, type Helper } from '@mlaas/helper';
import { captureLines } from '../../../helper/test/support/capture-log.js';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..', '..');
export const CLI_SOURCE = join(ROOT, 'packages', 'cli', 'src', 'bin', 'mlaas.ts');
export const CLIENT_ID = 'mlaas-cli';

export interface Stack {
  helper: Helper;
  url: string;
  issuer: string;
  /** Environment that points the CLI at this stack (no config dir: each run gets its own via `home`). */
  env: Record<string, string>;
  /** Successful token-endpoint grants by grant type (`refresh_token`, `password`, ...). */
  grants: Map<string, number>;
  /** Every log line of the helper. */
  logs: string[];
  close(): Promise<void>;
}

/** Starts the embedded stack on a free port. */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-cli-stack-'));
  const { stream: sink, lines: logs } = captureLines();
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    APIM_BACKEND: 'embedded',
    EMBEDDED_IDP: 'true',
    EMBEDDED_DEMO_USERS: 'true',
    EMBEDDED_PASSWORD_GRANT: 'true',
    EMBEDDED_IDP_DEVICE_POLL_INTERVAL_SECONDS: '1',
    MLAAS_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    RATE_LIMIT_IP_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
    RATE_LIMIT_INIT_PER_MINUTE: '100000',
    ...env,
  });
  const helper = await createHelper(config, {
    logger: createLogger({ level: 'info', destination: sink }),
    defaultMetrics: false,
  });
  const url = await helper.listen();
  const issuer = helper.embeddedIdp?.issuer ?? '';
  const grants = new Map<string, number>();
  helper.embeddedIdp?.provider.on('grant.success', (ctx: { oidc?: { params?: { grant_type?: unknown } } }) => {
    const type = String(ctx.oidc?.params?.grant_type ?? 'unknown');
    grants.set(type, (grants.get(type) ?? 0) + 1);
  });
  const origin = new URL(issuer).origin;
  return {
    helper,
    url,
    issuer,
    env: { MLAAS_KEYCLOAK_URL: origin, MLAAS_KEYCLOAK_REALM: 'mlaas', MLAAS_HELPER_URL: url },
    grants,
    logs,
    async close() {
      await helper.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A temporary config directory for one "user". */
export function makeHome(): { configDir: string; remove(): void } {
  const configDir = mkdtempSync(join(tmpdir(), 'mlaas-cli-home-'));
  return { configDir, remove: () => rmSync(configDir, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables added to a minimal environment (PATH, HOME, the stack's settings). */
  env?: Record<string, string | undefined>;
  /** Text written to stdin (stdin is a pipe, never a terminal). */
  input?: string;
  timeoutMs?: number;
  /** Called with each chunk of stderr as it arrives (to follow device codes and URLs). */
  onStderr?: (text: string) => void;
  /** The executable to run instead of the source CLI (the single-file binary). */
  executable?: string;
}

/** Runs `mlaas` with arguments; resolves when it exits. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tmpdir(),
    LANG: 'C.UTF-8',
  };
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  const [command, argv] = options.executable
    ? [options.executable, [...args]]
    : [process.execPath, ['--import', 'tsx', CLI_SOURCE, ...args]];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr += text;
      options.onStderr?.(text);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The parsed credentials file of a config directory. */
export function readCredentials(configDir: string): {
  version: number;
  profiles: Record<string, Record<string, unknown>>;
} {
  return JSON.parse(readFileSync(join(configDir, 'credentials.json'), 'utf8')) as {
    version: number;
    profiles: Record<string, Record<string, unknown>>;
  };
}

/** Marks the stored access token of a profile as expired (the JWT itself stays valid at the helper). */
export function expireStoredToken(configDir: string, profile = 'default'): void {
  const file = readCredentials(configDir);
  const tokens = file.profiles[profile];
  if (tokens === undefined) throw new Error(`no tokens for profile ${profile}`);
  tokens.expiresAt = Math.floor(Date.now() / 1000) - 60;
  writeFileSync(join(configDir, 'credentials.json'), JSON.stringify(file), { mode: 0o600 });
}

/** Signs a user in through the CLI (password from stdin); throws unless it works. */
export async function login(
  stack: Stack,
  configDir: string,
  user = 'alice',
  extraEnv: Record<string, string> = {},
): Promise<void> {
  const result = await runCli(['login', '--password', '--username', user, '--password-stdin'], {
    env: { ...stack.env, MLAAS_CONFIG_DIR: configDir, ...extraEnv },
    input: `${user}\n`,
  });
  if (result.code !== 0) throw new Error(`login failed (${result.code}): ${result.stderr}`);
}
