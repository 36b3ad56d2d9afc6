/**
 * @module idp/create-provider
 * Configures oidc-provider as the embedded issuer: Keycloak's paths under `/realms/<realm>`, one public
 * client with PKCE (S256) and loopback redirects on any port, the web page's public client (redirected back
 * to the helper's own origin), the device flow, rotating refresh tokens with
 * reuse detection, the optional password grant, and Keycloak-like RS256 JWT access tokens.
 */
import type { JWK } from 'jose';
import Provider, { type Adapter, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { LogSink } from '../log/logger.js';
import { createDevicePollPacing, DEVICE_CODE_GRANT } from './device-poll-pacing.js';
import { accessTokenClaims, userClaims } from './keycloak-claims.js';
import {
  deviceCodeInputPage,
  deviceConfirmPage,
  deviceSuccessPage,
  errorPage,
  logoutPage,
  logoutSuccessPage,
  PAGE_HEADERS,
} from './pages.js';
import { registerPasswordGrant } from './password-grant.js';
import { createResourceServerRegistry } from './resource-server.js';
import type { SignIn } from './sign-in.js';
import type { UserDirectory } from './users.js';

/** Keycloak's endpoint paths, relative to the issuer (`…/realms/<realm>`). */
export const KEYCLOAK_ROUTES = {
  authorization: '/protocol/openid-connect/auth',
  device_authorization: '/protocol/openid-connect/auth/device',
  code_verification: '/device',
  token: '/protocol/openid-connect/token',
  jwks: '/protocol/openid-connect/certs',
  end_session: '/protocol/openid-connect/logout',
  userinfo: '/protocol/openid-connect/userinfo',
  revocation: '/protocol/openid-connect/revoke',
  introspection: '/protocol/openid-connect/token/introspect',
  pushed_authorization_request: '/protocol/openid-connect/ext/par/request',
  registration: '/clients-registrations/openid-connect',
  backchannel_authentication: '/protocol/openid-connect/ext/ciba/auth',
} as const;

/** Claim of the embedded issuer's access tokens naming their grant, so the helper can ask if it still holds. */
export const GRANT_ID_CLAIM = 'grant_id';

/** Path of the sign-in pages, relative to the issuer. */
const INTERACTION_PATH = '/login-actions';

/**
 * Where an issuer URL puts the issuer on this server, and its sign-in pages under it.
 * @example issuerPaths('http://127.0.0.1:5000/realms/mlaas') // { mountPath: '/realms/mlaas', interactionPath: '/realms/mlaas/login-actions' }
 */
export function issuerPaths(issuer: string): { mountPath: string; interactionPath: string } {
  const mountPath = new URL(issuer).pathname.replace(/\/+$/, '');
  return { mountPath, interactionPath: `${mountPath}${INTERACTION_PATH}` };
}
/** Scopes the issuer knows. */
export const SUPPORTED_SCOPES = ['openid', 'offline_access', 'profile', 'email'] as const;
/**
 * Redirect URIs of the CLI client. The client is "native", so oidc-provider accepts these on any port
 * (RFC 8252 §7.3: loopback redirects, port chosen by the app at run time).
 */
export const CLI_REDIRECT_URIS = [
  'http://127.0.0.1/callback',
  'http://localhost/callback',
  'http://[::1]/callback',
  'http://127.0.0.1/',
  'http://localhost/',
] as const;
/** Lifetimes, in seconds. */
export interface IdpLifetimes {
  accessToken: number;
  refreshToken: number;
  session: number;
  deviceCode: number;
  authorizationCode: number;
  interaction: number;
}

/** The lifetimes not configurable: an authorization code lives 1 min (as in Keycloak), a sign-in page 10 min. */
export const FIXED_LIFETIMES = { authorizationCode: 60, interaction: 600 } as const;

export interface EmbeddedProviderOptions {
  issuer: string;
  clientId: string;
  /** `aud` of access tokens: what the helper expects. */
  audience: string;
  passwordGrant: boolean;
  /** A confidential client for the password grant (the original MLaaS tool's `mlaas-client`), or null. */
  passwordClient?: { clientId: string; secret: string } | null;
  /** The web page's public client (served at the issuer's origin, `/`), or null when the page is off. */
  webClient?: { clientId: string } | null;
  users: UserDirectory;
  signIn: SignIn;
  adapter: (model: string) => Adapter;
  signingKeys: JWK[];
  cookieKeys: string[];
  ttl: IdpLifetimes;
  devicePollIntervalSeconds: number;
  log: LogSink;
}

function sendPage(ctx: KoaContextWithOIDC, html: string): void {
  ctx.set(PAGE_HEADERS as Record<string, string>);
  ctx.body = html;
}

/**
 * Builds the configured provider (not mounted anywhere yet).
 * @example const provider = createEmbeddedProvider({ issuer: 'http://127.0.0.1:5000/realms/mlaas', ... });
 */
export function createEmbeddedProvider(options: EmbeddedProviderOptions): Provider {
  const { users, ttl } = options;
  const passwordClient = options.passwordGrant ? (options.passwordClient ?? null) : null;
  const { mountPath, interactionPath } = issuerPaths(options.issuer);
  const resources = createResourceServerRegistry({
    audience: options.audience,
    accessTokenTtlSeconds: ttl.accessToken,
  });
  const cookie = { httpOnly: true, sameSite: 'lax' as const, signed: true };
  const webClient = options.webClient ?? null;
  // The page is served by the same helper as the issuer, so its origin is the issuer's.
  const webOrigin = new URL(options.issuer).origin;

  const configuration: Configuration = {
    adapter: options.adapter,
    clients: [
      {
        client_id: options.clientId,
        client_name: 'MLaaS command line',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: [
          'authorization_code',
          'refresh_token',
          DEVICE_CODE_GRANT,
          ...(options.passwordGrant ? ['password'] : []),
        ],
        response_types: ['code'],
        redirect_uris: [...CLI_REDIRECT_URIS],
        post_logout_redirect_uris: [],
      },
      ...(webClient !== null
        ? [
            {
              client_id: webClient.clientId,
              client_name: 'MLaaS web page',
              application_type: 'web' as const,
              token_endpoint_auth_method: 'none' as const,
              grant_types: ['authorization_code', 'refresh_token'],
              response_types: ['code' as const],
              redirect_uris: [`${webOrigin}/`],
              post_logout_redirect_uris: [`${webOrigin}/`],
            },
          ]
        : []),
      ...(passwordClient !== null
        ? [
            {
              client_id: passwordClient.clientId,
              client_secret: passwordClient.secret,
              client_name: 'MLaaS command line (password sign-in)',
              token_endpoint_auth_method: 'client_secret_post' as const,
              grant_types: ['password', 'refresh_token'],
              response_types: [],
              redirect_uris: [],
              post_logout_redirect_uris: [],
            },
          ]
        : []),
    ],
    // Only the web page calls the issuer from a browser script, and only from its own origin.
    clientBasedCORS: (_ctx, origin, client) =>
      webClient !== null && client.clientId === webClient.clientId && origin === webOrigin,
    clientAuthMethods: passwordClient !== null ? ['none', 'client_secret_post'] : ['none'],
    claims: {
      openid: ['sub'],
      profile: ['preferred_username', 'name', 'soeid'],
      email: ['email', 'email_verified'],
      acr: null,
      sid: null,
      auth_time: null,
      iss: null,
    },
    scopes: [...SUPPORTED_SCOPES],
    cookies: {
      names: { session: 'MLAAS_IDP_SESSION', interaction: 'MLAAS_IDP_INTERACTION', resume: 'MLAAS_IDP_RESUME' },
      long: { ...cookie, path: `${mountPath}/` },
      short: cookie,
      keys: options.cookieKeys,
    },
    jwks: { keys: options.signingKeys as NonNullable<Configuration['jwks']>['keys'] },
    findAccount(_ctx, sub) {
      const user = users.findById(sub);
      if (user === null) return undefined;
      return { accountId: user.id, claims: () => ({ sub: user.id, ...userClaims(user) }) };
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      introspection: { enabled: false },
      userinfo: { enabled: true },
      clientCredentials: { enabled: false },
      registration: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '****-****',
        userCodeInputSource(ctx, form, out, err) {
          let message: string | undefined;
          if (
            err !== undefined &&
            ((err as { userCode?: string }).userCode !== undefined || err.name === 'NoCodeError')
          ) {
            message = 'That code is not valid or has expired. Check the code on your device and try again.';
          } else if (err?.name === 'AbortedError') {
            message = 'The sign-in was cancelled.';
          } else if (out !== undefined) {
            message = 'The request could not be completed. Start again on your device.';
          }
          const userCode = (err as { userCode?: string } | undefined)?.userCode;
          sendPage(
            ctx,
            deviceCodeInputPage(form, {
              ...(message !== undefined ? { error: message } : {}),
              ...(userCode ? { userCode } : {}),
            }),
          );
        },
        userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
          sendPage(ctx, deviceConfirmPage(form, { clientName: client.clientName ?? client.clientId, userCode }));
        },
        successSource(ctx) {
          const client = ctx.oidc.client;
          sendPage(ctx, deviceSuccessPage(client?.clientName ?? client?.clientId ?? 'your device'));
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          sendPage(ctx, logoutPage(form));
        },
        postLogoutSuccessSource(ctx) {
          sendPage(ctx, logoutSuccessPage());
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resources.identifier,
        // Tokens from codes, device codes and refresh tokens stay for the helper without `resource`.
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => resources.info(resource),
      },
    },
    formats: {
      customizers: {
        async jwt(ctx, token, parts) {
          const accountId = (token as { accountId?: string }).accountId;
          const user = accountId !== undefined ? users.findById(accountId) : null;
          if (user !== null) {
            const grant = ctx.oidc.entities.Grant;
            Object.assign(
              parts.payload,
              accessTokenClaims(user, {
                clientId: token.clientId ?? options.clientId,
                scope: grant?.getOIDCScope() || undefined,
                sid: (token as { sid?: string }).sid,
              }),
            );
            const grantId = (token as { grantId?: string }).grantId;
            if (grantId !== undefined) parts.payload[GRANT_ID_CLAIM] = grantId;
          }
          return parts;
        },
      },
    },
    // Keycloak returns a refresh token to every client allowed to refresh, without `offline_access`.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Every use of a refresh token replaces it; a replayed one revokes the whole grant (oidc-provider).
    rotateRefreshToken: true,
    pkce: { methods: ['S256'], required: () => true },
    routes: { ...KEYCLOAK_ROUTES },
    responseTypes: ['code'],
    ttl: {
      AccessToken: ttl.accessToken,
      AuthorizationCode: ttl.authorizationCode,
      ClientCredentials: ttl.accessToken,
      DeviceCode: ttl.deviceCode,
      BackchannelAuthenticationRequest: ttl.deviceCode,
      IdToken: ttl.accessToken,
      RefreshToken: ttl.refreshToken,
      Interaction: ttl.interaction,
      Session: ttl.session,
      Grant: ttl.session,
    },
    interactions: {
      url: (_ctx, interaction) => `${interactionPath}/${interaction.uid}`,
    },
    renderError(ctx, out) {
      sendPage(
        ctx,
        errorPage(String(out.error), typeof out.error_description === 'string' ? out.error_description : undefined),
      );
    },
  };

  const provider = new Provider(options.issuer, configuration);
  if (options.passwordGrant) {
    registerPasswordGrant(provider, { signIn: options.signIn, resources, supportedScopes: SUPPORTED_SCOPES });
  }
  provider.use(createDevicePollPacing({ intervalSeconds: options.devicePollIntervalSeconds }));
  // oidc-provider answers every invalid_grant with "grant request is invalid"; say which check failed (the
  // detail names a check, never a secret), as Keycloak does.
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: { error?: string; error_detail?: string }) => {
    const body = ctx.body as { error?: string; error_description?: string } | undefined;
    if (
      body?.error === 'invalid_grant' &&
      typeof error.error_detail === 'string' &&
      body.error_description === 'grant request is invalid'
    ) {
      body.error_description = error.error_detail;
    }
  });
  provider.on('server_error', (_ctx: unknown, error: Error) => {
    options.log.error({ err: { name: error.name, message: error.message } }, 'embedded issuer: internal error');
  });
  return provider;
}
