/**
 * @module auth/session
 * A profile's sign-in state, shared by the CLI and the SDK: hands out a valid access token, refreshing it
 * shortly before it expires. Refreshes happen under the config directory's lock, and the store is read
 * again once the lock is held — when another process refreshed meanwhile, its tokens are used and the
 * (rotating) refresh token is not spent twice.
 */
import { ensurePrivateDir } from '../config/paths.js';
import { join } from 'node:path';
import { MlaasError } from '../lib/errors.js';
import type { HttpTransport } from '../lib/transport.js';
import type { Lock } from '../store/file-lock.js';
import { isFresh, type StoredTokens } from '../store/token-set.js';
import type { TokenStore } from '../store/token-store.js';
import type { Oidc } from './oidc.js';

/** Name of the lock file in the config directory. */
export const LOCK_FILE = 'credentials.lock';

/** Why a new sign-in is needed. */
export interface SignInReason {
  /** `missing`: never signed in; `other-issuer`: signed in elsewhere; `expired`: refresh impossible or refused. */
  kind: 'missing' | 'other-issuer' | 'expired';
  message: string;
}

/** Options of {@link Session}. */
export interface SessionOptions {
  issuer: string;
  clientId: string;
  profile: string;
  configDir: string;
  allowInsecureHttp: boolean;
  send: HttpTransport;
  /** Opens the token store (lazily: choosing it may probe the OS keyring). */
  openStore: () => Promise<TokenStore>;
  /** Current time in milliseconds (injected by tests). */
  now?: () => number;
  /** A token to use as is, never refreshed (`MLAAS_ACCESS_TOKEN`). */
  accessToken?: string | undefined;
  /** Signs in with the password grant whenever a sign-in is needed (`MLAAS_USERNAME` + `MLAAS_PASSWORD`). */
  credentials?: { username: string; password: string } | undefined;
  /**
   * Interactive sign-in (the CLI on a terminal); without it, a needed sign-in is an AUTH_REQUIRED error. It is
   * handed this session, so it needs nothing from whoever built the session.
   */
  signIn?: ((reason: SignInReason, session: Session) => Promise<StoredTokens>) | undefined;
  /** How to tell the user to sign in, for AUTH_REQUIRED errors. */
  signInHint?: string | undefined;
  lockTimeoutMs?: number;
}

/**
 * The sign-in state of one profile.
 *
 * @example
 * ```ts
 * const session = new Session({ issuer, clientId: 'mlaas-cli', profile: 'default', configDir, allowInsecureHttp: false, send, openStore });
 * const token = await session.accessToken();
 * ```
 */
export class Session {
  private readonly options: SessionOptions;
  private storePromise: Promise<TokenStore> | undefined;
  private oidcPromise: Promise<Oidc> | undefined;

  constructor(options: SessionOptions) {
    this.options = options;
  }

  /** The profile's token store. */
  store(): Promise<TokenStore> {
    return (this.storePromise ??= this.options.openStore());
  }

  /** The discovered issuer (loaded once, on first need). */
  oidc(): Promise<Oidc> {
    const { issuer, clientId, allowInsecureHttp, send } = this.options;
    // Lazy: discovery and openid-client are needed only to sign in or renew, not while a token is fresh.
    return (this.oidcPromise ??= import('./oidc.js').then(({ discoverIssuer }) =>
      discoverIssuer({ issuer, clientId, allowInsecureHttp, send }),
    ));
  }

  /** The stored tokens of this profile when they belong to the configured issuer and client. */
  async current(): Promise<StoredTokens | null> {
    const tokens = await (await this.store()).read(this.options.profile);
    return tokens !== null && this.belongsHere(tokens) ? tokens : null;
  }

  /**
   * A valid access token: the stored one, a refreshed one, or one from a new sign-in when allowed.
   * @param options.rejected a token the helper refused although it looked valid: refresh it regardless.
   * @param options.signIn false to only use and renew stored tokens, never sign in anew (default true).
   * @throws MlaasError AUTH_REQUIRED when no token can be had without asking the user.
   */
  async accessToken(options: { rejected?: string; signIn?: boolean } = {}): Promise<string> {
    if (this.options.accessToken !== undefined) {
      if (options.rejected === undefined) return this.options.accessToken;
      throw new MlaasError('AUTH_REQUIRED', 'the access token in MLAAS_ACCESS_TOKEN was refused', {
        hint: 'Set a fresh token, or unset it to use the signed-in session.',
      });
    }
    const store = await this.store();
    const stored = await store.read(this.options.profile);
    if (
      stored !== null &&
      this.belongsHere(stored) &&
      options.rejected === undefined &&
      isFresh(stored, this.nowSeconds())
    ) {
      return stored.accessToken;
    }
    let reason: SignInReason;
    if (stored === null) {
      reason = { kind: 'missing', message: 'you are not signed in' };
    } else if (!this.belongsHere(stored)) {
      reason = {
        kind: 'other-issuer',
        message: `you are signed in to ${stored.issuer}, not to ${this.options.issuer}`,
      };
    } else {
      const refreshed = await this.refreshUnderLock(options.rejected ?? stored.accessToken);
      if (refreshed !== null) return refreshed.accessToken;
      reason = { kind: 'expired', message: 'your session has expired or was ended' };
    }
    if (options.signIn === false)
      throw new MlaasError('AUTH_REQUIRED', reason.message, { hint: this.options.signInHint });
    return (await this.signInAgain(reason)).accessToken;
  }

  /** Stores tokens from a sign-in, under the lock. */
  async save(tokens: StoredTokens): Promise<void> {
    const lock = await this.lock();
    try {
      await (await this.store()).write(this.options.profile, tokens);
    } finally {
      lock.release();
    }
  }

  /** Removes the profile's tokens; resolves the tokens that were stored (to end their session). */
  async forget(): Promise<StoredTokens | null> {
    const lock = await this.lock();
    try {
      const store = await this.store();
      const tokens = await store.read(this.options.profile).catch(() => null);
      await store.delete(this.options.profile);
      return tokens;
    } finally {
      lock.release();
    }
  }

  private async signInAgain(reason: SignInReason): Promise<StoredTokens> {
    let tokens: StoredTokens;
    if (this.options.credentials !== undefined) {
      // Lazy, like everything that only runs when a sign-in is needed.
      const { passwordLogin } = await import('./password-login.js');
      tokens = await passwordLogin(await this.oidc(), this.options.credentials);
    } else if (this.options.signIn !== undefined) {
      tokens = await this.options.signIn(reason, this);
    } else {
      throw new MlaasError('AUTH_REQUIRED', reason.message, { hint: this.options.signInHint });
    }
    await this.save(tokens);
    return tokens;
  }

  private async refreshUnderLock(staleAccessToken: string): Promise<StoredTokens | null> {
    const lock = await this.lock();
    try {
      const store = await this.store();
      const current = await store.read(this.options.profile);
      if (current === null || !this.belongsHere(current)) return null;
      // Another process refreshed while we waited for the lock: use its tokens.
      if (current.accessToken !== staleAccessToken && isFresh(current, this.nowSeconds())) return current;
      if (current.refreshToken === null) return null;
      // Lazy: a run with a fresh token never renews it.
      const { refreshTokens } = await import('./refresh.js');
      let fresh: StoredTokens;
      try {
        fresh = await refreshTokens(await this.oidc(), current);
      } catch (error) {
        if (error instanceof MlaasError && error.code === 'AUTH_REQUIRED') {
          // The refresh token is dead; keeping it would only repeat the failing request.
          await store.delete(this.options.profile);
          return null;
        }
        throw error;
      }
      await store.write(this.options.profile, fresh);
      return fresh;
    } finally {
      lock.release();
    }
  }

  private async lock(): Promise<Lock> {
    try {
      ensurePrivateDir(this.options.configDir);
    } catch (error) {
      throw new MlaasError('STORAGE_ERROR', `cannot create ${this.options.configDir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    // Lazy: the lock is taken only to renew or store tokens, which a run with a fresh token never does.
    const { acquireLock } = await import('../store/file-lock.js');
    return acquireLock(
      join(this.options.configDir, LOCK_FILE),
      this.options.lockTimeoutMs === undefined ? {} : { timeoutMs: this.options.lockTimeoutMs },
    );
  }

  private belongsHere(tokens: StoredTokens): boolean {
    return tokens.issuer === this.options.issuer && tokens.clientId === this.options.clientId;
  }

  private nowSeconds(): number {
    return (this.options.now ?? Date.now)() / 1000;
  }
}
