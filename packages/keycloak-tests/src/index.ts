/**
 * @module @mlaas/keycloak-tests
 * A real Keycloak on this machine, for development (`npm run keycloak`) and for the suite that runs the CLI
 * and the helper against it (`npm run test:keycloak`).
 */
export {
  startKeycloak,
  DEFAULT_KEYCLOAK_PORT,
  DEFAULT_ADMIN,
  DEFAULT_START_TIMEOUT_MS,
  REALM_FILE,
} from './start-keycloak.js';
export type { Keycloak, StartKeycloakOptions } from './start-keycloak.js';
export {
  ensureDistribution,
  distributionPaths,
  isDistributionCached,
  findOnPath,
  DEFAULT_KEYCLOAK_VERSION,
} from './distribution.js';
export type { DistributionOptions, DistributionPaths } from './distribution.js';
export { findJavaHome, javaVersion, MINIMUM_JAVA_VERSION } from './java-home.js';
export type { JavaHome, FindJavaHomeOptions } from './java-home.js';
export { KeycloakError, isMissingPrerequisite } from './errors.js';
export type { KeycloakErrorCode } from './errors.js';
