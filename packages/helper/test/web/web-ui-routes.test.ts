/**
 * @module test/web/web-ui-routes
 * The page's routes without a browser: `WEB_UI=false` leaves `/` to the JSON 404 as before; the OpenAPI
 * document is the same with the page on or off; assets are served compressed as asked; and the page's
 * snippets are the command-line tool's, text for text.
 */
import assert from 'node:assert/strict';
import { get, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Service } from '@mlaas/contract';
import { renderSnippet as cliSnippet, SNIPPET_LANGS } from '../../../cli/src/delivery/snippet.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startStack, type Stack } from '../idp/support/embedded-stack.js';

/** A GET whose body stays as sent (fetch would decompress it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

type WebSnippet = (service: object, lang: string, tokenEndpoint: string) => string | null;

describe('web page routes', () => {
  let on: Stack;
  let off: Stack;
  before(async () => {
    on = await startStack();
    off = await startStack({ WEB_UI: 'false' });
  });
  after(async () => {
    await on?.close();
    await off?.close();
  });

  it('WEB_UI=false: / is the API 404 and the issuer has no web client', async () => {
    const response = await fetch(`${off.url}/`);
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'NOT_FOUND');
    const authorize = await fetch(
      `${off.discovery.authorization_endpoint}?${new URLSearchParams({
        client_id: 'mlaas-web',
        response_type: 'code',
        redirect_uri: `${off.url}/`,
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`,
      { redirect: 'manual' },
    );
    assert.equal(authorize.status, 400);
    assert.match(await authorize.text(), /invalid_client/);
  });

  it('the OpenAPI document is the same with the page on or off', async () => {
    const paths = async (stack: Stack) =>
      Object.keys(((await (await fetch(`${stack.url}/api/openapi.json`)).json()) as { paths: object }).paths);
    assert.deepEqual(await paths(on), await paths(off));
  });

  it('serves assets brotli, gzip or plain as accepted, and nothing but the page files', async () => {
    const html = await (await fetch(`${on.url}/`)).text();
    const css = /href="(\/web\/[0-9a-f]+\/style\.css)"/.exec(html)?.[1] ?? '';
    const plain = await fetch(`${on.url}${css}`, { headers: { 'accept-encoding': 'identity' } });
    const text = await plain.text();
    assert.match(text, /prefers-color-scheme: dark/);
    for (const [encoding, decode] of [
      ['gzip', gunzipSync],
      ['br', brotliDecompressSync],
    ] as const) {
      const raw = await rawGet(`${on.url}${css}`, { 'accept-encoding': encoding });
      assert.equal(raw.headers['content-encoding'], encoding);
      assert.equal(raw.headers.vary, 'accept-encoding');
      assert.equal(decode(raw.body).toString('utf8'), text);
      assert.ok(raw.body.length < text.length / 2, `${encoding} compresses`);
    }
    const traversal = await fetch(`${on.url}${css.replace('style.css', '..%2Fpackage.json')}`);
    assert.equal(traversal.status, 404);
  });

  it('the issuer lets the web client call its token endpoint from the page origin only', async () => {
    const request = (origin: string) =>
      fetch(on.discovery.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: new URLSearchParams({ client_id: 'mlaas-web', grant_type: 'refresh_token', refresh_token: 'x' }),
      });
    const same = await request(new URL(on.url).origin);
    assert.equal(same.headers.get('access-control-allow-origin'), new URL(on.url).origin);
    assert.equal(((await same.json()) as { error: string }).error, 'invalid_grant');
    const other = await request('https://elsewhere.example');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal(((await other.json()) as { error: string }).error, 'invalid_request');
  });
});

describe('web page settings', () => {
  it('WEB_UI defaults to on with the client mlaas-web; WEB_UI_CLIENT_ID names another', () => {
    const base = { KEYCLOAK_URL: 'https://sso.example.org', KEYCLOAK_REALM: 'r', KEYCLOAK_CLIENT_ID: 'c' };
    const env = { ...base, THREESCALE_ADMIN_API_URL: 'https://3scale.example.org', THREESCALE_ADMIN_API_KEY: 'k' };
    assert.deepEqual(loadConfig(env).webUi, { enabled: true, clientId: 'mlaas-web' });
    assert.deepEqual(loadConfig({ ...env, WEB_UI: 'false', WEB_UI_CLIENT_ID: 'portal' }).webUi, {
      enabled: false,
      clientId: 'portal',
    });
    assert.throws(() => loadConfig({ ...env, WEB_UI: 'maybe' }), /WEB_UI/);
  });
});

describe('web page snippets', () => {
  it('are the command-line tool’s snippets for every way a gateway reads credentials', async () => {
    const { renderSnippet } = (await import('../../web/snippet.js' as string)) as { renderSnippet: WebSnippet };
    const token = 'https://sso.example.org/realms/mlaas/protocol/openid-connect/token';
    const cases: Pick<Service, 'id' | 'proxy_endpoint' | 'authentication_method' | 'credentials'>[] = [];
    for (const method of ['api_key', 'app_id_app_key', 'oidc'] as const) {
      for (const location of ['header', 'query', 'basic'] as const) {
        for (const names of [
          { key_parameter: null, app_id_parameter: null },
          { key_parameter: "X-Key's", app_id_parameter: 'X-App' },
        ]) {
          cases.push({
            id: `svc.${method}-${location}`,
            proxy_endpoint: 'https://gw.example.org/v1/predict?x=1',
            authentication_method: method,
            credentials: { location, ...names },
          });
        }
      }
    }
    for (const service of cases) {
      for (const lang of SNIPPET_LANGS) {
        assert.equal(renderSnippet(service, lang, token), cliSnippet(service, lang, token), `${service.id} ${lang}`);
      }
    }
    assert.equal(renderSnippet({ ...cases[0], proxy_endpoint: null }, 'curl', token), null);
  });
});
