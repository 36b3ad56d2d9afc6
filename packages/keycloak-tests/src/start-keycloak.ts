/**
 * @module start-keycloak
 * Starts a real Keycloak (`kc.sh start-dev`) on 127.0.0.1 for development and tests: a JDK ≥ 21, the
 * cached distribution, a throw-away home in a temp folder (its own database, realm import folder and
 * build output, so the cache stays untouched and runs never share state), the realm files imported at
 * startup, a bootstrap admin, and a fixed `--hostname` so every token carries the same `iss` whatever
 * Host header the client sent. Resolves once the realm's discovery document is served.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ensureDistribution, type DistributionOptions } from './distribution.js';
import { KeycloakError } from './errors.js';
import { findJavaHome } from './java-home.js';

/** Port of `npm run keycloak` (the embedded stack has 5000). */
export const DEFAULT_KEYCLOAK_PORT = 18080;
/** The realm the project ships: realm `mlaas`, client `mlaas-cli`, demo users alice and bob. */
export const REALM_FILE = resolve(import.meta.dirname, '..', '..', '..', 'deploy', 'keycloak', 'realm-mlaas.json');
/** Bootstrap admin of the master realm (loopback only, throw-away database). */
export const DEFAULT_ADMIN = { username: 'admin', password: 'admin' } as const;
/** The first start also builds Keycloak for this configuration (about a minute on two cores). */
export const DEFAULT_START_TIMEOUT_MS = 300_000;
/** Time Keycloak gets to shut down on SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 30_000;
/** How often readiness is polled. */
const POLL_INTERVAL_MS = 500;
/** Lines of Keycloak's output kept for error messages. */
const OUTPUT_LINES_KEPT = 300;

/** Options of {@link startKeycloak}. */
export interface StartKeycloakOptions extends DistributionOptions {
  /** HTTP port on 127.0.0.1 (default 18080). */
  port?: number;
  /** Realm files put in the import folder (default: deploy/keycloak/realm-mlaas.json). */
  realmFiles?: readonly string[];
  /** Realm whose discovery document means "ready" (default: the first realm file's). */
  realm?: string;
  admin?: { username: string; password: string };
  /** JDK home (default: found by {@link findJavaHome}). */
  javaHome?: string;
  startTimeoutMs?: number;
  /** Each chunk of Keycloak's output, as it arrives. */
  onOutput?: (text: string) => void;
}

/** A running (or stopped, restartable) Keycloak. */
export interface Keycloak {
  version: string;
  /** Base URL, `http://127.0.0.1:<port>`, also the `--hostname`. */
  url: string;
  port: number;
  /** The realm waited for. */
  realm: string;
  /** `${url}/realms/${realm}`. */
  issuer(realm?: string): string;
  admin: { username: string; password: string };
  /** The throw-away home: database, import folder, build output. */
  home: string;
  javaHome: string;
  isRunning(): boolean;
  /** The last lines Keycloak printed. */
  output(): string;
  /** Stops Keycloak (SIGTERM, then SIGKILL after 30 s); the home and its database are kept. */
  stop(): Promise<void>;
  /** Starts it again on the same home: same realms, users and signing keys. */
  start(): Promise<void>;
  /** Stops it and deletes the home. */
  close(): Promise<void>;
}

/**
 * Fetches (once), prepares and starts Keycloak; resolves when the realm is served.
 * @throws KeycloakError ERR_NO_JAVA, ERR_NO_MAVEN, ERR_DOWNLOAD, ERR_PORT_IN_USE or ERR_START.
 *
 * @example
 * ```ts
 * const keycloak = await startKeycloak({ port: 18080 });
 * console.log(keycloak.issuer()); // http://127.0.0.1:18080/realms/mlaas
 * await keycloak.close();
 * ```
 */
export async function startKeycloak(options: StartKeycloakOptions = {}): Promise<Keycloak> {
  const env = options.env ?? process.env;
  const java = findJavaHome({ javaHome: options.javaHome, env });
  const paths = await ensureDistribution({ ...options, env });
  const port = options.port ?? DEFAULT_KEYCLOAK_PORT;
  const url = `http://127.0.0.1:${port}`;
  const realmFiles = options.realmFiles ?? [REALM_FILE];
  const realm = options.realm ?? realmName(realmFiles[0]);
  const admin = options.admin ?? { ...DEFAULT_ADMIN };
  const buildCache = `${paths.distDir}-dev-build`;
  const home = prepareHome(paths.distDir, buildCache, realmFiles);

  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let lines: string[] = [];
  const killOnExit = () => child?.kill('SIGKILL');

  async function start(): Promise<void> {
    if (child !== null) return;
    await assertPortFree(port);
    const builtAt = newestMtime(join(home, 'lib', 'quarkus'));
    lines = [];
    const started = spawn(
      join(home, 'bin', 'kc.sh'),
      [
        'start-dev',
        '--http-host=127.0.0.1',
        `--http-port=${port}`,
        `--hostname=${url}`,
        '--http-enabled=true',
        '--import-realm',
        // The dev database lives in the home (data/h2): thrown away with it, kept across stop/start.
        '--db=dev-file',
      ],
      { cwd: home, env: keycloakEnv(env, java.home, admin), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    process.once('exit', killOnExit);
    let partial = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      options.onOutput?.(text);
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > OUTPUT_LINES_KEPT) lines = lines.slice(-OUTPUT_LINES_KEPT);
    };
    started.stdout?.on('data', onData);
    started.stderr?.on('data', onData);
    let hasExited = false;
    exited = new Promise<void>((done) =>
      started.once('exit', () => {
        hasExited = true;
        if (child === started) child = null;
        process.removeListener('exit', killOnExit);
        done();
      }),
    );

    const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    const discovery = `${url}/realms/${encodeURIComponent(realm)}/.well-known/openid-configuration`;
    for (;;) {
      if (hasExited) {
        throw new KeycloakError(
          'ERR_START',
          `Keycloak exited during startup (exit ${started.exitCode ?? started.signalCode}).`,
          { output: tail() },
        );
      }
      if (await answers(discovery)) break;
      if (Date.now() > deadline) {
        await stop();
        throw new KeycloakError(
          'ERR_START',
          `Keycloak did not serve ${discovery} within ${Math.round((options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS) / 1000)} s.`,
          { output: tail() },
        );
      }
      await new Promise((done) => setTimeout(done, POLL_INTERVAL_MS));
    }
    // The first start builds Keycloak for this configuration; keep that build for the next homes.
    if (newestMtime(join(home, 'lib', 'quarkus')) > builtAt) saveBuild(join(home, 'lib', 'quarkus'), buildCache);
  }

  async function stop(): Promise<void> {
    const running = child;
    if (running === null) return;
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  function tail(): string {
    return lines.slice(-60).join('\n');
  }

  const keycloak: Keycloak = {
    version: paths.version,
    url,
    port,
    realm,
    issuer: (name = realm) => `${url}/realms/${name}`,
    admin,
    home,
    javaHome: java.home,
    isRunning: () => child !== null,
    output: () => lines.join('\n'),
    stop,
    start,
    async close() {
      await stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
  try {
    await start();
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  return keycloak;
}

/**
 * A home of its own for one Keycloak: small folders copied (bin, conf, the build output), large read-only
 * ones linked (libraries, themes), and `data/import` holding the realm files. `kc.sh` takes its home from
 * its own location, so it is copied, not linked.
 */
function prepareHome(distDir: string, buildCache: string, realmFiles: readonly string[]): string {
  const home = mkdtempSync(join(tmpdir(), 'mlaas-keycloak-'));
  cpSync(join(distDir, 'bin'), join(home, 'bin'), { recursive: true, preserveTimestamps: true });
  cpSync(join(distDir, 'conf'), join(home, 'conf'), { recursive: true });
  cpSync(join(distDir, 'version.txt'), join(home, 'version.txt'));
  mkdirSync(join(home, 'lib'));
  for (const shared of ['lib/lib', 'lib/app', 'themes', 'providers']) {
    if (existsSync(join(distDir, shared))) symlinkSync(join(distDir, shared), join(home, shared));
  }
  cpSync(join(distDir, 'lib', 'quarkus-run.jar'), join(home, 'lib', 'quarkus-run.jar'));
  const build = existsSync(join(buildCache, 'quarkus-application.dat')) ? buildCache : join(distDir, 'lib', 'quarkus');
  cpSync(build, join(home, 'lib', 'quarkus'), { recursive: true, preserveTimestamps: true });
  mkdirSync(join(home, 'data', 'import'), { recursive: true });
  for (const file of realmFiles) cpSync(file, join(home, 'data', 'import', basename(file)));
  return home;
}

/** Replaces the cached build with a fresh one, atomically for readers (rename of a complete folder). */
function saveBuild(from: string, to: string): void {
  const staging = `${to}.${process.pid}.tmp`;
  try {
    rmSync(staging, { recursive: true, force: true });
    cpSync(from, staging, { recursive: true, preserveTimestamps: true });
    rmSync(to, { recursive: true, force: true });
    renameSync(staging, to);
  } catch {
    // Only a cache: the next start builds again.
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The environment of kc.sh: the caller's, less anything that would reconfigure Keycloak behind our back. */
function keycloakEnv(
  env: NodeJS.ProcessEnv,
  javaHome: string,
  admin: { username: string; password: string },
): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    // KC_* options (a developer's KC_DB, KC_HOSTNAME, ...), a `JAVA` that kc.sh prefers over JAVA_HOME,
    // and JAVA_OPTS, which would replace kc.sh's memory settings.
    if (key.startsWith('KC_') || key.startsWith('KEYCLOAK_ADMIN') || key === 'JAVA' || key === 'JAVA_OPTS') continue;
    clean[key] = value;
  }
  return {
    ...clean,
    JAVA_HOME: javaHome,
    KC_BOOTSTRAP_ADMIN_USERNAME: admin.username,
    KC_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
  };
}

function realmName(file: string | undefined): string {
  if (file === undefined) throw new TypeError('startKeycloak: realmFiles is empty');
  const name = (JSON.parse(readFileSync(file, 'utf8')) as { realm?: unknown }).realm;
  if (typeof name !== 'string') throw new TypeError(`${file} names no realm`);
  return name;
}

function newestMtime(folder: string): number {
  if (!existsSync(folder)) return 0;
  return Math.max(0, ...readdirSync(folder).map((entry) => statSync(join(folder, entry)).mtimeMs));
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function assertPortFree(port: number): Promise<void> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        new KeycloakError(
          'ERR_PORT_IN_USE',
          `Port ${port} on 127.0.0.1 is in use (${error.code}); is another Keycloak running?`,
          { cause: error },
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => done()));
  });
}
