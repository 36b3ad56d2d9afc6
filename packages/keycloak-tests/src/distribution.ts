/**
 * @module distribution
 * Keycloak's server distribution, from Maven Central: `mvn dependency:get` puts the archive in the local
 * Maven repository (reused when present), and it is unpacked once into a cache folder
 * (`~/.cache/mlaas/keycloak-<version>`), which later runs reuse. The cached folder is never written to by a
 * running Keycloak: each start works in a home of its own (see start-keycloak).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KeycloakError } from './errors.js';

/** The Keycloak release the project is tested with (served by Maven Central, runs on Java 21 and 25). */
export const DEFAULT_KEYCLOAK_VERSION = '26.7.3';
/** Maven coordinates of the distribution, without the version. */
const DIST_GROUP = 'org.keycloak';
const DIST_ARTIFACT = 'keycloak-quarkus-dist';
/** Longest time the download (~180 MB) may take. */
const DOWNLOAD_TIMEOUT_MS = 20 * 60_000;
/** Longest time unpacking may take. */
const UNPACK_TIMEOUT_MS = 5 * 60_000;

/** Options of {@link ensureDistribution}. */
export interface DistributionOptions {
  version?: string;
  /** Cache folder (default `$MLAAS_CACHE_DIR`, else `$XDG_CACHE_HOME/mlaas`, else `~/.cache/mlaas`). */
  cacheDir?: string;
  /** Local Maven repository (default `~/.m2/repository`, Maven's own default). */
  mavenRepo?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress messages ("Downloading…"). */
  log?: (message: string) => void;
}

/** Where a distribution is, or would be. */
export interface DistributionPaths {
  version: string;
  cacheDir: string;
  /** The unpacked distribution (`bin/kc.sh`, `lib/`, `themes/`, ...). */
  distDir: string;
  /** The archive in the local Maven repository. */
  archive: string;
}

/**
 * Paths of a distribution, whether or not it is there yet.
 *
 * @example
 * ```ts
 * distributionPaths().distDir; // '/home/me/.cache/mlaas/keycloak-26.7.3'
 * ```
 */
export function distributionPaths(options: DistributionOptions = {}): DistributionPaths {
  const env = options.env ?? process.env;
  const version = options.version ?? DEFAULT_KEYCLOAK_VERSION;
  const cacheDir =
    options.cacheDir ?? env.MLAAS_CACHE_DIR ?? join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mlaas');
  const mavenRepo = options.mavenRepo ?? join(homedir(), '.m2', 'repository');
  return {
    version,
    cacheDir,
    distDir: join(cacheDir, `keycloak-${version}`),
    archive: join(mavenRepo, ...DIST_GROUP.split('.'), DIST_ARTIFACT, version, `${DIST_ARTIFACT}-${version}.tar.gz`),
  };
}

/** Whether the distribution is unpacked in the cache. */
export function isDistributionCached(paths: DistributionPaths): boolean {
  return existsSync(join(paths.distDir, 'bin', 'kc.sh')) && existsSync(join(paths.distDir, 'lib', 'quarkus-run.jar'));
}

/**
 * Makes sure the distribution is unpacked in the cache, fetching it with Maven first when needed.
 * @throws KeycloakError ERR_NO_MAVEN when it must be fetched and `mvn` is missing; ERR_DOWNLOAD when Maven or
 * tar fail.
 *
 * @example
 * ```ts
 * const { distDir } = await ensureDistribution({ log: console.error });
 * ```
 */
export async function ensureDistribution(options: DistributionOptions = {}): Promise<DistributionPaths> {
  const paths = distributionPaths(options);
  if (isDistributionCached(paths)) return paths;
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);

  if (!existsSync(paths.archive)) {
    const mvn = findOnPath('mvn', env.PATH ?? '');
    if (mvn === null) {
      throw new KeycloakError(
        'ERR_NO_MAVEN',
        `Keycloak ${paths.version} is not cached in ${paths.distDir} and Maven (mvn) is not installed to fetch it.`,
      );
    }
    log(`Fetching Keycloak ${paths.version} from Maven Central (about 180 MB, once)…`);
    const args = [
      '-q',
      '-B',
      // A corrupt or tampered download fails instead of being unpacked.
      '--strict-checksums',
      'dependency:get',
      `-Dartifact=${DIST_GROUP}:${DIST_ARTIFACT}:${paths.version}:tar.gz`,
      // The distribution's own dependency tree is not needed: everything is inside the archive.
      '-Dtransitive=false',
      ...(options.mavenRepo !== undefined ? [`-Dmaven.repo.local=${options.mavenRepo}`] : []),
    ];
    const result = await run(mvn, args, env, DOWNLOAD_TIMEOUT_MS);
    if (result.code !== 0 || !existsSync(paths.archive)) {
      throw new KeycloakError(
        'ERR_DOWNLOAD',
        `mvn dependency:get could not fetch Keycloak ${paths.version} (exit ${result.code}).`,
        { output: result.output },
      );
    }
  }

  log(`Unpacking Keycloak ${paths.version} into ${paths.distDir}…`);
  mkdirSync(paths.cacheDir, { recursive: true });
  // Unpack beside the target and rename, so a concurrent or interrupted run never sees half a folder.
  const staging = mkdtempSync(join(paths.cacheDir, '.unpack-'));
  try {
    const result = await run('tar', ['-xzf', paths.archive, '-C', staging], env, UNPACK_TIMEOUT_MS);
    const unpacked = join(staging, `keycloak-${paths.version}`);
    if (result.code !== 0 || !existsSync(join(unpacked, 'bin', 'kc.sh'))) {
      throw new KeycloakError('ERR_DOWNLOAD', `${paths.archive} could not be unpacked (tar exit ${result.code}).`, {
        output: result.output,
      });
    }
    try {
      renameSync(unpacked, paths.distDir);
    } catch (error) {
      // Another run finished first: its copy is as good as ours.
      if (!isDistributionCached(paths)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return paths;
}

/** The path of an executable on PATH, or null. */
export function findOnPath(name: string, path: string): string | null {
  for (const folder of path.split(delimiter)) {
    if (folder !== '' && existsSync(join(folder, name))) return join(folder, name);
  }
  return null;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ code: null, output: `${output}${error.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}
