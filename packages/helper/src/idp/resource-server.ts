/**
 * @module idp/resource-server
 * The one API the embedded issuer makes access tokens for: the helper. oidc-provider issues JWT access
 * tokens only for a resource server (RFC 8707), so every grant defaults to this one, and its tokens are
 * RS256 JWTs whose `aud` is the audience the helper expects.
 */
import { errors, type ResourceServer } from 'oidc-provider';

/** Resource indicator of the helper API (clients need not send it; it is the default). */
export const HELPER_RESOURCE_INDICATOR = 'urn:mlaas:helper';

export interface ResourceServerRegistry {
  readonly identifier: string;
  /** The resource a request is for: the default when none is named. @throws InvalidTarget for any other. */
  resolve(requested: string | undefined): string;
  /** oidc-provider's description of the resource server. */
  info(resource: string): ResourceServer;
}

/**
 * Describes the helper API as a resource server.
 * @example const resources = createResourceServerRegistry({ audience: 'mlaas-cli', accessTokenTtlSeconds: 300 });
 */
export function createResourceServerRegistry(options: {
  audience: string;
  accessTokenTtlSeconds: number;
}): ResourceServerRegistry {
  const info: ResourceServer = {
    // No API scopes: the token's `scope` claim carries the OpenID scopes, as Keycloak's does.
    scope: '',
    audience: options.audience,
    accessTokenTTL: options.accessTokenTtlSeconds,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  };
  return {
    identifier: HELPER_RESOURCE_INDICATOR,
    resolve(requested) {
      if (requested === undefined || requested === HELPER_RESOURCE_INDICATOR) return HELPER_RESOURCE_INDICATOR;
      throw new errors.InvalidTarget('the only resource served by this issuer is the MLaaS helper API');
    },
    info(resource) {
      if (resource !== HELPER_RESOURCE_INDICATOR)
        throw new errors.InvalidTarget('the only resource served by this issuer is the MLaaS helper API');
      return { ...info };
    },
  };
}
