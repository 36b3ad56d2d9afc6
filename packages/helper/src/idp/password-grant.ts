/**
 * @module idp/password-grant
 * The resource owner password credentials grant (RFC 6749 §4.3) as an oidc-provider custom grant, for
 * automation and for compatibility with the original CLI. Off unless configured. Answers like Keycloak:
 * a wrong password or unknown user is `invalid_grant` "Invalid user credentials" with HTTP 401.
 */
import { errors, type KoaContextWithOIDC, type Provider, type ResourceServer } from 'oidc-provider';
import type { ResourceServerRegistry } from './resource-server.js';
import { BUSY_MESSAGE, INVALID_CREDENTIALS_MESSAGE, throttledMessage, type SignIn } from './sign-in.js';

/** The grant type name, as in RFC 6749 §4.3.2. */
export const PASSWORD_GRANT_TYPE = 'password';
/** Scopes granted when the request names none (Keycloak grants its default client scopes). */
const DEFAULT_SCOPE = 'profile email';

type ResourceServerConstructor = new (identifier: string, info: ResourceServer) => ResourceServer;

function oauthError(error: InstanceType<typeof errors.OIDCProviderError>, description: string, status?: number): Error {
  Object.assign(error, {
    error_description: description,
    ...(status !== undefined ? { status, statusCode: status } : {}),
  });
  return error;
}

/**
 * Registers the password grant on a provider.
 * @example registerPasswordGrant(provider, { signIn, resources, supportedScopes: ['openid', 'profile', 'email'] });
 */
export function registerPasswordGrant(
  provider: Provider,
  options: { signIn: SignIn; resources: ResourceServerRegistry; supportedScopes: readonly string[] },
): void {
  const supported = new Set(options.supportedScopes);

  async function passwordGrant(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    const params = ctx.oidc.params as Record<string, unknown>;
    const client = ctx.oidc.client;
    if (client === undefined) throw new errors.InvalidClient('client not found');
    const username = typeof params.username === 'string' ? params.username : '';
    const password = typeof params.password === 'string' ? params.password : '';
    if (username === '' || password === '') {
      throw new errors.InvalidRequest('missing required parameter(s) (username, password)');
    }
    const requested = typeof params.scope === 'string' && params.scope.trim() !== '' ? params.scope : DEFAULT_SCOPE;
    const scopes = [...new Set(requested.split(' ').filter((s) => s !== ''))];
    const unknown = scopes.filter((s) => !supported.has(s));
    if (unknown.length > 0) throw new errors.InvalidScope('requested scope is not supported', unknown.join(' '));
    const resource = options.resources.resolve(typeof params.resource === 'string' ? params.resource : undefined);

    const result = await options.signIn.attempt(username, password, ctx.ip);
    if (!result.ok) {
      if (result.reason === 'throttled') {
        ctx.set('Retry-After', String(result.retryAfterSeconds));
        throw oauthError(new errors.InvalidGrant('throttled'), throttledMessage(result.retryAfterSeconds));
      }
      if (result.reason === 'busy') {
        ctx.set('Retry-After', String(result.retryAfterSeconds));
        throw oauthError(new errors.TemporarilyUnavailable('busy'), BUSY_MESSAGE, 503);
      }
      throw oauthError(new errors.InvalidGrant('invalid credentials'), INVALID_CREDENTIALS_MESSAGE, 401);
    }
    const user = result.user;
    const scope = scopes.join(' ');

    const grant = new provider.Grant({ accountId: user.id, clientId: client.clientId });
    grant.addOIDCScope(scope);
    await grant.save();
    const account = await provider.Account.findAccount(ctx, user.id);
    if (account === undefined) throw new errors.InvalidGrant('account not found');
    ctx.oidc.entity('Account', account);
    ctx.oidc.entity('Grant', grant);

    const ResourceServerClass = (provider as unknown as { ResourceServer: ResourceServerConstructor }).ResourceServer;
    const info = await options.resources.info(resource);
    const at = new provider.AccessToken({
      accountId: user.id,
      client,
      grantId: grant.jti,
      gty: PASSWORD_GRANT_TYPE,
      scope,
      resourceServer: new ResourceServerClass(resource, info),
    } as ConstructorParameters<typeof provider.AccessToken>[0]);
    ctx.oidc.entity('AccessToken', at);
    const accessToken = await at.save();

    let refreshToken: string | undefined;
    if (client.grantTypeAllowed('refresh_token')) {
      const rt = new provider.RefreshToken({
        accountId: user.id,
        client,
        grantId: grant.jti,
        gty: PASSWORD_GRANT_TYPE,
        scope,
        resource,
        rotations: 0,
        // Not bound to a browser session: there is none in this grant.
        expiresWithSession: false,
      } as unknown as ConstructorParameters<typeof provider.RefreshToken>[0]);
      ctx.oidc.entity('RefreshToken', rt);
      refreshToken = await rt.save();
    }

    let idToken: string | undefined;
    if (scopes.includes('openid')) {
      const claims = await account.claims('id_token', scope, {}, []);
      const token = new provider.IdToken({ ...claims }, { ctx });
      (token as unknown as { scope: string }).scope = scope;
      token.set('at_hash', accessToken);
      idToken = await token.issue({ use: 'idtoken' });
    }

    ctx.body = {
      access_token: accessToken,
      expires_in: at.expiration,
      ...(refreshToken !== undefined ? { refresh_token: refreshToken } : {}),
      ...(idToken !== undefined ? { id_token: idToken } : {}),
      scope,
      token_type: 'Bearer',
    };
    await next();
  }

  provider.registerGrantType(PASSWORD_GRANT_TYPE, passwordGrant, ['username', 'password', 'scope', 'resource']);
}
