/**
 * @module test/output/curl-example
 * The example command follows the service's credential location and parameter names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InitData } from '@mlaas/contract';
import { curlExample, shellQuote } from '../../src/output/curl-example.js';

function init(service: Partial<InitData['service']>, extra: Partial<InitData> = {}): InitData {
  return {
    api_key: 'KEY123',
    app_id: null,
    service: {
      id: 's',
      name: 'S',
      proxy_endpoint: 'https://gw.example.org/v1',
      authentication_method: 'api_key',
      credentials: { location: 'header', key_parameter: 'X-API-Key', app_id_parameter: null },
      ...service,
    },
    plan: { id: 'p', name: 'P' },
    is_new: true,
    account_id: '1',
    ...extra,
  };
}

describe('curl example', () => {
  it("api key in a header, under the service's header name", () => {
    assert.deepEqual(curlExample(init({})), ["curl -H 'X-API-Key: KEY123' https://gw.example.org/v1"]);
    assert.deepEqual(
      curlExample(
        init({ credentials: { location: 'header', key_parameter: 'Authorization', app_id_parameter: null } }),
      ),
      ["curl -H 'Authorization: KEY123' https://gw.example.org/v1"],
    );
  });

  it('api key in the query string, defaulting to user_key', () => {
    assert.deepEqual(
      curlExample(init({ credentials: { location: 'query', key_parameter: null, app_id_parameter: null } })),
      ["curl 'https://gw.example.org/v1?user_key=KEY123'"],
    );
  });

  it('api key as the HTTP Basic user name', () => {
    assert.deepEqual(
      curlExample(init({ credentials: { location: 'basic', key_parameter: null, app_id_parameter: null } })),
      ['curl -u KEY123: https://gw.example.org/v1'],
    );
  });

  it('app id and key in headers, in the query, or as Basic user and password', () => {
    const appMode = (location: 'header' | 'query' | 'basic') =>
      curlExample(
        init(
          {
            authentication_method: 'app_id_app_key',
            credentials: { location, key_parameter: 'app_key', app_id_parameter: 'app_id' },
          },
          { app_id: 'APP1' },
        ),
      );
    assert.deepEqual(appMode('header'), ["curl -H 'app_id: APP1' -H 'app_key: KEY123' https://gw.example.org/v1"]);
    assert.deepEqual(appMode('query'), ["curl 'https://gw.example.org/v1?app_id=APP1&app_key=KEY123'"]);
    assert.deepEqual(appMode('basic'), ['curl -u APP1:KEY123 https://gw.example.org/v1']);
  });

  it('OpenID Connect: a client-credentials token first, then a bearer call', () => {
    const lines = curlExample(
      init(
        {
          authentication_method: 'oidc',
          credentials: { location: 'header', key_parameter: null, app_id_parameter: null },
        },
        { app_id: 'client-1' },
      ),
      'https://sso.example.org/realms/x/protocol/openid-connect/token',
    );
    assert.equal(lines?.length, 2);
    assert.match(
      lines?.[0] ?? '',
      /client_id=client-1 -d client_secret=KEY123 https:\/\/sso\.example\.org\/realms\/x\/protocol\/openid-connect\/token/,
    );
    assert.equal(lines?.[1], 'curl -H "Authorization: Bearer $TOKEN" https://gw.example.org/v1');
  });

  it('nothing without an endpoint', () => {
    assert.equal(curlExample(init({ proxy_endpoint: null })), null);
  });

  it('quotes for the shell', () => {
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    assert.equal(shellQuote('a b'), `'a b'`);
    assert.equal(shellQuote('$(rm -rf)'), `'$(rm -rf)'`);
    assert.equal(shellQuote('plain-Value_1'), 'plain-Value_1');
  });
});
