/**
 * @module idp/sign-in
 * One way to check a username and password, shared by the sign-in page and the password grant: throttled
 * per user and per IP, with one answer for an unknown user and a wrong password.
 */
import type { LoginThrottle } from './login-throttle.js';
import type { IdpUser, UserDirectory } from './users.js';

/** What a user is told for an unknown user or a wrong password (Keycloak's wording). */
export const INVALID_CREDENTIALS_MESSAGE = 'Invalid user credentials';
/** Longest username or password looked at; longer input is refused without hashing it. */
const MAX_INPUT_LENGTH = 1_024;

export type SignInResult =
  | { ok: true; user: IdpUser }
  | { ok: false; reason: 'invalid_credentials' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }
  | { ok: false; reason: 'busy'; retryAfterSeconds: number };

/** Message for an attempt refused because too many password checks are running. */
export const BUSY_MESSAGE = 'Too many sign-ins at this moment; try again in a few seconds.';
/** Retry-After of a refused busy attempt, in seconds. */
const BUSY_RETRY_AFTER_SECONDS = 2;

export interface SignIn {
  attempt(username: string, password: string, ip: string): Promise<SignInResult>;
}

/** Message for a throttled attempt. */
export function throttledMessage(retryAfterSeconds: number): string {
  return `Too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds.`;
}

/**
 * Creates the sign-in check over a user directory and a throttle. At most `maxConcurrentChecks` password
 * hashes run at once: each costs tens of milliseconds of CPU and 32 MiB, so a flood of attempts would
 * otherwise slow every sign-in down; the excess is refused at once (503 with Retry-After) instead.
 * @example const result = await signIn.attempt('alice', 'alice', '127.0.0.1'); if (result.ok) use(result.user);
 */
export function createSignIn(
  users: UserDirectory,
  throttle: LoginThrottle,
  options: { maxConcurrentChecks?: number } = {},
): SignIn {
  const maxConcurrent = options.maxConcurrentChecks ?? Number.POSITIVE_INFINITY;
  let running = 0;
  return {
    async attempt(username, password, ip) {
      const name = username.trim();
      if (running >= maxConcurrent) return { ok: false, reason: 'busy', retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS };
      const decision = throttle.begin(name, ip);
      if (!decision.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: decision.retryAfterSeconds };
      if (name === '' || name.length > MAX_INPUT_LENGTH || password.length > MAX_INPUT_LENGTH) {
        return { ok: false, reason: 'invalid_credentials' };
      }
      running += 1;
      let user: IdpUser | null;
      try {
        user = await users.authenticate(name, password);
      } finally {
        running -= 1;
      }
      if (user === null) return { ok: false, reason: 'invalid_credentials' };
      decision.ticket.succeeded();
      return { ok: true, user };
    },
  };
}
