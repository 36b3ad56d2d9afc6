/**
 * @module errors
 * The one error of this package: Keycloak could not be made available, with a code that says why, so a
 * test suite can tell "this machine lacks a JDK or Maven" (skippable outside CI) from a real failure.
 */

/** Why Keycloak is not available. */
export type KeycloakErrorCode =
  /** No JDK of the required version was found. */
  | 'ERR_NO_JAVA'
  /** The distribution is not cached and Maven is not installed to fetch it. */
  | 'ERR_NO_MAVEN'
  /** Maven could not fetch the distribution, or it could not be unpacked. */
  | 'ERR_DOWNLOAD'
  /** The port Keycloak should listen on is taken. */
  | 'ERR_PORT_IN_USE'
  /** Keycloak exited or did not serve the realm's discovery document in time. */
  | 'ERR_START';

/** Keycloak could not be fetched or started; `code` says why, `output` holds the tail of Keycloak's log. */
export class KeycloakError extends Error {
  override readonly name = 'KeycloakError';
  readonly code: KeycloakErrorCode;
  readonly output: string;

  constructor(code: KeycloakErrorCode, message: string, options: { cause?: unknown; output?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.output = options.output ?? '';
  }
}

/** Whether a missing tool (not a fault) is what stops Keycloak: a developer machine may skip, CI may not. */
export function isMissingPrerequisite(error: unknown): boolean {
  return error instanceof KeycloakError && (error.code === 'ERR_NO_JAVA' || error.code === 'ERR_NO_MAVEN');
}
