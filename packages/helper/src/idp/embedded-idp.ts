/**
 * @module idp/embedded-idp
 * The embedded OpenID Connect issuer as one part of a helper process: loads its keys, users and database
 * from the data directory, and registers the issuer and its sign-in pages on the helper's Fastify server.
 */
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { SESSION_ENDED_MESSAGE } from '../auth/session-check.js';
import { HelperError } from '../errors/helper-error.js';
import type Provider from 'oidc-provider';
import type { EmbeddedIdpConfig } from '../config/config.js';
import type { LogSink } from '../log/logger.js';
import { loadOrCreateCookieKeys } from './cookie-keys.js';
import {
  createEmbeddedProvider,
  FIXED_LIFETIMES,
  GRANT_ID_CLAIM,
  issuerPaths,
  KEYCLOAK_ROUTES,
} from './create-provider.js';
import { interactionRoutes } from './interactions.js';
import { createLoginThrottle } from './login-throttle.js';
import { mountIssuer } from './mount-issuer.js';
import { createSignIn } from './sign-in.js';
import { loadOrCreateSigningKeys } from './signing-keys.js';
import { openSqliteAdapterStore } from './sqlite-adapter.js';
import { createUserDirectory } from './users.js';

export interface EmbeddedIdp {
  readonly issuer: string;
  /** The underlying oidc-provider instance (for tests and tooling). */
  readonly provider: Provider;
  /** Usernames that can sign in (never passwords). */
  readonly usernames: string[];
  /**
   * Resolves when the grant behind one of its (verified) access tokens is still active: not ended by
   * signing out, by a replayed refresh token or by expiry. @throws HelperError INVALID_TOKEN otherwise.
   */
  checkSession(accessToken: string): Promise<void>;
  /** Adds the issuer and its pages to a Fastify server (before it listens). */
  register(app: FastifyInstance): Promise<void>;
  close(): void;
}

/**
 * Builds the embedded issuer from its configuration.
 * @throws HelperError CONFIG_ERROR for unreadable keys, users or database.
 * @example const idp = await createEmbeddedIdp(config.embeddedIdp, { log }); await idp.register(app);
 */
export async function createEmbeddedIdp(
  config: EmbeddedIdpConfig,
  options: { log: LogSink; webClientId?: string | null },
): Promise<EmbeddedIdp> {
  const signingKeys = await loadOrCreateSigningKeys(config.dataDir);
  const cookieKeys = loadOrCreateCookieKeys(config.dataDir);
  const users = await createUserDirectory({ usersFile: config.usersFile, demoUsers: config.demoUsers });
  const throttle = createLoginThrottle({
    freeFailures: config.loginFreeFailures,
    baseDelayMs: config.loginBaseDelaySeconds * 1000,
    maxDelayMs: config.loginMaxDelaySeconds * 1000,
    windowMs: config.loginThrottleWindowSeconds * 1000,
  });
  const signIn = createSignIn(users, throttle, { maxConcurrentChecks: config.maxConcurrentPasswordChecks });
  const store = openSqliteAdapterStore(config.dataDir);
  const { mountPath, interactionPath } = issuerPaths(config.issuer);

  const provider = createEmbeddedProvider({
    issuer: config.issuer,
    clientId: config.clientId,
    audience: config.audience,
    passwordGrant: config.passwordGrant,
    passwordClient: config.passwordClient,
    webClient: options.webClientId ? { clientId: options.webClientId } : null,
    users,
    signIn,
    adapter: (model) => store.adapterFor(model),
    signingKeys: signingKeys.map((k) => k.jwk),
    cookieKeys,
    ttl: {
      accessToken: config.accessTokenTtlSeconds,
      refreshToken: config.refreshTokenTtlSeconds,
      session: config.sessionTtlSeconds,
      deviceCode: config.deviceCodeTtlSeconds,
      ...FIXED_LIFETIMES,
    },
    devicePollIntervalSeconds: config.devicePollIntervalSeconds,
    log: options.log,
  });
  provider.app.on('error', (error: Error) => {
    options.log.error({ err: { name: error.name, message: error.message } }, 'embedded issuer: request failed');
  });

  return {
    issuer: config.issuer,
    provider,
    usernames: users.usernames(),
    async checkSession(accessToken) {
      const grantId = decodeJwt(accessToken)[GRANT_ID_CLAIM];
      const grant = typeof grantId === 'string' ? await provider.Grant.find(grantId) : undefined;
      if (grant === undefined || grant.isExpired) throw new HelperError('INVALID_TOKEN', SESSION_ENDED_MESSAGE);
    },
    async register(app) {
      await app.register(interactionRoutes, {
        provider,
        signIn,
        basePath: interactionPath,
        csrfSecret: cookieKeys[0] as string,
      });
      await app.register(mountIssuer, {
        provider,
        issuer: config.issuer,
        devicePagePath: `${mountPath}${KEYCLOAK_ROUTES.code_verification}`,
        devicePagePerMinute: config.devicePagePerMinute,
      });
    },
    close() {
      store.close();
    },
  };
}
