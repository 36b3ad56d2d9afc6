/**
 * @module test/delivery/snippet
 * Snippets for every place a gateway reads credentials, including the app id services the demo gateway
 * does not have: the key comes from the variable of `mlaas run`, never the text; the app id travels where
 * the gateway reads it. The curl snippets are run against a local server to see what they send.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseSnippetLang, renderSnippet, type SnippetService } from '../../src/delivery/snippet.js';

const TOKEN_URL = 'http://127.0.0.1:1/realms/mlaas/protocol/openid-connect/token';

function service(overrides: Partial<SnippetService> & Pick<SnippetService, 'credentials'>): SnippetService {
  return { id: 'ocr-v2', proxy_endpoint: 'http://127.0.0.1/x', authentication_method: 'api_key', ...overrides };
}

describe('snippets', () => {
  let url: string;
  let seen: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    seen.push(request);
    response.setHeader('content-type', 'application/json');
    response.end('{"ok":true}');
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ocr?x=1`;
  });
  after(() => server.close());

  // Asynchronous: the server answering curl runs in this process.
  async function runCurl(s: SnippetService, env: Record<string, string>): Promise<IncomingMessage> {
    seen = [];
    const text = renderSnippet({ ...s, proxy_endpoint: url }, 'curl', TOKEN_URL);
    await promisify(execFile)('sh', ['-c', text], { env: { PATH: process.env.PATH ?? '', ...env } });
    assert.equal(seen.length, 1);
    return seen[0] as IncomingMessage;
  }

  const secret = `k'e"y $x`;

  it('header, app id + key: both headers, values from the environment', async () => {
    const s = service({
      authentication_method: 'app_id_app_key',
      credentials: { location: 'header', key_parameter: 'X-App-Key', app_id_parameter: 'X-App-Id' },
    });
    const text = renderSnippet(s, 'curl', TOKEN_URL);
    assert.ok(text.includes('"$MLAAS_OCR_V2_API_KEY"') && text.includes('"$MLAAS_OCR_V2_APP_ID"'), text);
    const request = await runCurl(s, { MLAAS_OCR_V2_API_KEY: secret, MLAAS_OCR_V2_APP_ID: 'app-1' });
    assert.equal(request.headers['x-app-key'], secret);
    assert.equal(request.headers['x-app-id'], 'app-1');
  });

  it('query, app id + key (3scale default names): both parameters, URL-encoded', async () => {
    const s = service({
      authentication_method: 'app_id_app_key',
      credentials: { location: 'query', key_parameter: null, app_id_parameter: null },
    });
    const request = await runCurl(s, { MLAAS_OCR_V2_API_KEY: secret, MLAAS_OCR_V2_APP_ID: 'app 1' });
    const query = new URL(request.url ?? '', 'http://x').searchParams;
    assert.equal(query.get('app_key'), secret);
    assert.equal(query.get('app_id'), 'app 1');
    assert.equal(query.get('x'), '1');
  });

  it('basic, app id + key: app id as user, key as password', async () => {
    const s = service({
      authentication_method: 'app_id_app_key',
      credentials: { location: 'basic', key_parameter: null, app_id_parameter: null },
    });
    const request = await runCurl(s, { MLAAS_OCR_V2_API_KEY: 'key1', MLAAS_OCR_V2_APP_ID: 'app1' });
    assert.equal(request.headers.authorization, `Basic ${Buffer.from('app1:key1').toString('base64')}`);
  });

  it('python and node read the app id and key from the environment, never inline them', () => {
    const s = service({
      authentication_method: 'app_id_app_key',
      credentials: { location: 'header', key_parameter: 'X-App-Key', app_id_parameter: 'X-App-Id' },
    });
    const python = renderSnippet(s, 'python', TOKEN_URL);
    assert.match(python, /os\.environ\["MLAAS_OCR_V2_APP_ID"\]/);
    assert.match(python, /headers\["X-App-Id"\] = app_id/);
    const node = renderSnippet(s, 'node', TOKEN_URL);
    assert.match(node, /process\.env\["MLAAS_OCR_V2_APP_ID"\]/);
    assert.match(node, /headers\["X-App-Key"\] = key;/);
  });

  it('OpenID Connect: exchanges app id and key for a token at the token endpoint', () => {
    const text = renderSnippet(
      service({
        authentication_method: 'oidc',
        credentials: { location: 'header', key_parameter: null, app_id_parameter: null },
      }),
      'curl',
      TOKEN_URL,
    );
    assert.ok(text.includes(`'${TOKEN_URL}'`), text);
    assert.match(text, /client_id="\$MLAAS_OCR_V2_APP_ID"/);
    assert.match(text, /Authorization: Bearer \$TOKEN/);
  });

  it('a service without an endpoint, or an unknown language, is refused', () => {
    assert.throws(
      () =>
        renderSnippet(
          service({
            proxy_endpoint: null,
            credentials: { location: 'basic', key_parameter: null, app_id_parameter: null },
          }),
          'curl',
          TOKEN_URL,
        ),
      /publishes no endpoint/,
    );
    assert.throws(() => parseSnippetLang('ruby'), /--lang must be one of curl, python, node/);
  });
});
