/**
 * @module output/curl-example
 * A ready-to-run `curl` command for a service, built from where its gateway reads credentials (header,
 * query parameter or HTTP Basic) and under which names — never a guessed header.
 */
import type { AuthenticationMethod, Credentials, InitData } from '@mlaas/contract';

/** 3scale's default parameter names when a service does not name its own. */
const DEFAULT_KEY_PARAMETER = 'user_key';
const DEFAULT_APP_ID_PARAMETER = 'app_id';
const DEFAULT_APP_KEY_PARAMETER = 'app_key';

/**
 * The names under which the gateway reads the credentials (header or query parameter), with 3scale's
 * defaults filled in: the app id then the key for `app_id_app_key`, else only the key.
 *
 * @example
 * ```ts
 * credentialNames('app_id_app_key', { location: 'query', key_parameter: null, app_id_parameter: null }); // ['app_id', 'app_key']
 * ```
 */
export function credentialNames(method: AuthenticationMethod, credentials: Credentials): string[] {
  return method === 'app_id_app_key'
    ? [credentials.app_id_parameter ?? DEFAULT_APP_ID_PARAMETER, credentials.key_parameter ?? DEFAULT_APP_KEY_PARAMETER]
    : [credentials.key_parameter ?? DEFAULT_KEY_PARAMETER];
}

/**
 * Quotes a value for POSIX shells.
 *
 * @example
 * ```ts
 * shellQuote("it's"); // "'it'\\''s'"
 * ```
 */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The example command lines for an init result, or `null` when the service has no gateway endpoint.
 * @param tokenEndpoint for OpenID Connect services: where to get a token with the client credentials.
 *
 * @example
 * ```ts
 * curlExample(init)?.join('\n'); // "curl -H 'X-API-Key: mlk_…' https://gw.example.org/sentiment"
 * ```
 */
export function curlExample(init: InitData, tokenEndpoint?: string): string[] | null {
  const endpoint = init.service.proxy_endpoint;
  if (endpoint === null) return null;
  const { credentials, authentication_method: method } = init.service;
  const key = init.api_key;
  const appId = init.app_id;

  if (method === 'oidc') {
    const tokenUrl = tokenEndpoint ?? '<token endpoint of the service issuer>';
    return [
      `TOKEN=$(curl -s -d grant_type=client_credentials -d client_id=${shellQuote(appId ?? '<client id>')} -d client_secret=${shellQuote(key)} ${shellQuote(tokenUrl)} | jq -r .access_token)`,
      `curl -H "Authorization: Bearer $TOKEN" ${shellQuote(endpoint)}`,
    ];
  }

  const names = credentialNames(method, credentials);
  const values = method === 'app_id_app_key' ? [appId ?? '<app id>', key] : [key];
  const pairs = names.map((name, i): [string, string] => [name, values[i] as string]);

  switch (credentials.location) {
    case 'header':
      return [
        `curl ${pairs.map(([name, value]) => `-H ${shellQuote(`${name}: ${value}`)}`).join(' ')} ${shellQuote(endpoint)}`,
      ];
    case 'query': {
      const url = new URL(endpoint);
      for (const [name, value] of pairs) url.searchParams.set(name, value);
      return [`curl ${shellQuote(url.href)}`];
    }
    case 'basic': {
      // 3scale reads the key as the Basic user name (empty password), or app id and key as user and password.
      const user = method === 'app_id_app_key' ? `${appId ?? '<app id>'}:${key}` : `${key}:`;
      return [`curl -u ${shellQuote(user)} ${shellQuote(endpoint)}`];
    }
  }
}
