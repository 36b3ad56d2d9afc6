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
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export interface SignIn {
  attempt(username: string, password: string, ip: string): Promise<SignInResult>;
}

/** Message for a throttled attempt. */
export function throttledMessage(retryAfterSeconds: number): string {
  return `Too many failed sign-in attempts; try again in ${retryAfterSeconds} seconds.`;
}

/**
 * Creates the sign-in check over a user directory and a throttle.
 * @example const result = await signIn.attempt('alice', 'alice', '127.0.0.1'); if (result.ok) use(result.user);
 */
export function createSignIn(users: UserDirectory, throttle: LoginThrottle): SignIn {
  return {
    async attempt(username, password, ip) {
      const name = username.trim();
      const wait = throttle.retryAfterSeconds(name, ip);
      if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };
      const user =
        name === '' || name.length > MAX_INPUT_LENGTH || password.length > MAX_INPUT_LENGTH
          ? null
          : await users.authenticate(name, password);
      if (user === null) {
        throttle.recordFailure(name, ip);
        return { ok: false, reason: 'invalid_credentials' };
      }
      throttle.recordSuccess(name);
      return { ok: true, user };
    },
  };
}
