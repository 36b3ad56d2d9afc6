/**
 * @module java-home
 * Finds a JDK recent enough for Keycloak. Machines often have an older default `java` (17 here) beside a
 * newer JDK under /usr/lib/jvm, so the default is not trusted: every candidate's version is read and the
 * newest one that is recent enough wins, unless one is named explicitly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { KeycloakError } from './errors.js';

/** Keycloak 26.7 is supported on OpenJDK 21 and 25; 17 is deprecated and not accepted here. */
export const MINIMUM_JAVA_VERSION = 21;
/** Folders whose sub-folders are JDK homes on common Linux installs. */
const JVM_FOLDERS = ['/usr/lib/jvm', '/usr/java', '/opt/java'];
/** Longest time `java -version` may take. */
const VERSION_PROBE_TIMEOUT_MS = 10_000;

/** A JDK found on this machine. */
export interface JavaHome {
  home: string;
  /** Feature release, e.g. 25. */
  version: number;
}

/** Options of {@link findJavaHome}. */
export interface FindJavaHomeOptions {
  minimumVersion?: number;
  /** A JDK home to use (and check) instead of searching. */
  javaHome?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Folders holding JDK homes (default: /usr/lib/jvm, /usr/java, /opt/java). */
  jvmFolders?: readonly string[];
}

/**
 * The JDK to run Keycloak with: `javaHome` if given, else `KEYCLOAK_JAVA_HOME`, else the newest JDK of at
 * least `minimumVersion` among `JAVA_HOME`, the JVM folders and the `java` on PATH.
 * @throws KeycloakError ERR_NO_JAVA naming what was found.
 *
 * @example
 * ```ts
 * const { home, version } = findJavaHome(); // { home: '/usr/lib/jvm/temurin-25-jdk-amd64', version: 25 }
 * ```
 */
export function findJavaHome(options: FindJavaHomeOptions = {}): JavaHome {
  const minimum = options.minimumVersion ?? MINIMUM_JAVA_VERSION;
  const env = options.env ?? process.env;
  const explicit = options.javaHome ?? env.KEYCLOAK_JAVA_HOME;
  if (explicit !== undefined && explicit !== '') {
    const version = javaVersion(explicit);
    if (version === null || version < minimum) {
      throw new KeycloakError(
        'ERR_NO_JAVA',
        `${explicit} is not a JDK ${minimum} or newer (found ${version ?? 'no java'}).`,
      );
    }
    return { home: explicit, version };
  }
  const candidates = new Set<string>();
  if (env.JAVA_HOME) candidates.add(env.JAVA_HOME);
  for (const folder of options.jvmFolders ?? JVM_FOLDERS) {
    if (!existsSync(folder)) continue;
    for (const entry of readdirSync(folder).sort()) candidates.add(join(folder, entry));
  }
  const onPath = javaOnPath(env.PATH ?? '');
  if (onPath !== null) candidates.add(onPath);

  const found: JavaHome[] = [];
  for (const home of candidates) {
    const version = javaVersion(home);
    if (version !== null) found.push({ home, version });
  }
  const best = found.filter((j) => j.version >= minimum).sort((a, b) => b.version - a.version)[0];
  if (best === undefined) {
    const seen = found.length === 0 ? 'none' : found.map((j) => `${j.home} (${j.version})`).join(', ');
    throw new KeycloakError(
      'ERR_NO_JAVA',
      `Keycloak needs a JDK ${minimum} or newer; found: ${seen}. Install one (e.g. the Temurin 25 JDK) or set KEYCLOAK_JAVA_HOME.`,
    );
  }
  return best;
}

/** The feature release of the JDK at `home`, or null when there is no runnable java there. */
export function javaVersion(home: string): number | null {
  const java = join(home, 'bin', 'java');
  if (!existsSync(java)) return null;
  // The `release` file of every JDK since 9 names the version without starting a JVM.
  const release = join(home, 'release');
  if (existsSync(release)) {
    const match = /^JAVA_VERSION="([^"]+)"/m.exec(readFileSync(release, 'utf8'));
    if (match) return featureRelease(match[1] as string);
  }
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: VERSION_PROBE_TIMEOUT_MS });
  const match = /version "([^"]+)"/.exec(`${probe.stderr ?? ''}${probe.stdout ?? ''}`);
  return match ? featureRelease(match[1] as string) : null;
}

/** "25.0.3" → 25, "17" → 17, "1.8.0_392" → 8. */
function featureRelease(version: string): number | null {
  const parts = version.split(/[._+-]/).map((p) => Number.parseInt(p, 10));
  const first = parts[0];
  if (first === undefined || Number.isNaN(first)) return null;
  return first === 1 && parts[1] !== undefined && !Number.isNaN(parts[1]) ? parts[1] : first;
}

/** The JDK home of the `java` found on PATH (following the alternatives symlinks). */
function javaOnPath(path: string): string | null {
  for (const folder of path.split(delimiter)) {
    if (folder === '') continue;
    const java = join(folder, 'java');
    if (!existsSync(java)) continue;
    try {
      return dirname(dirname(realpathSync(java)));
    } catch {
      return null;
    }
  }
  return null;
}
