/**
 * @module test/support/keycloak
 * The one Keycloak of a suite run: started on first use (on a free port, from the cached distribution),
 * shared by every test file loaded in the process, started again if a test stopped it, and closed when
 * the run ends. Outside CI, a machine without a JDK ≥ 21 or without Maven (and no cached distribution)
 * skips the suite with a message; in CI (CI set) nothing is skipped and a Keycloak that cannot start fails
 * every test.
 */
import { existsSync } from 'node:fs';
import { after } from 'node:test';
import { findFreePort } from '../../../helper/src/idp/listen-address.js';
import {
  distributionPaths,
  findJavaHome,
  findOnPath,
  isDistributionCached,
  isMissingPrerequisite,
  startKeycloak,
  type Keycloak,
} from '../../src/index.js';

export const IN_CI = Boolean(process.env.CI);

/** Why the suite is skipped on this machine, or false. Never skipped in CI. */
export const SKIP: string | false = IN_CI ? false : missingPrerequisite();
if (SKIP) console.warn(`keycloak suite: skipped: ${SKIP}`);

let shared: Promise<Keycloak> | undefined;

/**
 * The suite's Keycloak, running.
 *
 * @example
 * ```ts
 * before(async () => { keycloak = await useKeycloak(); });
 * ```
 */
export async function useKeycloak(): Promise<Keycloak> {
  shared ??= findFreePort('127.0.0.1').then((port) =>
    startKeycloak({ port, log: (message) => console.error(message) }),
  );
  const keycloak = await shared;
  if (!keycloak.isRunning()) await keycloak.start();
  return keycloak;
}

after(async () => {
  const keycloak = await shared?.catch(() => undefined);
  await keycloak?.close();
});

function missingPrerequisite(): string | false {
  try {
    findJavaHome();
  } catch (error) {
    if (isMissingPrerequisite(error)) return (error as Error).message;
    throw error;
  }
  const paths = distributionPaths();
  if (
    !isDistributionCached(paths) &&
    !existsSync(paths.archive) &&
    findOnPath('mvn', process.env.PATH ?? '') === null
  ) {
    return `Keycloak ${paths.version} is not cached and Maven (mvn) is not installed to fetch it`;
  }
  return false;
}
