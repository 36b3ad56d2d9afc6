/**
 * Found by Schemathesis (check ST204, "wrong response to undeclared method"): a known path answered 400 to
 * `QUERY` (a method that takes a body, sent without a Content-Type) and 404 to any method the OpenAPI
 * document's own route does not take. Both must answer 405 METHOD_NOT_ALLOWED with an `Allow` header, as
 * every other known path does.
 *   curl -X QUERY http://127.0.0.1:N/api/health
 *   curl -X TRACE http://127.0.0.1:N/api/openapi.json
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../support/helper-harness.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request over a socket: app.inject refuses methods such as QUERY. */
function send(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('methods a path does not take', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness();
    base = await h.helper.listen();
  });
  after(() => h.close());

  for (const path of [
    '/api/health',
    '/api/ready',
    '/api/services',
    '/api/services/init',
    '/api/openapi.json',
    '/metrics',
  ]) {
    it(`QUERY ${path} answers 405 with Allow, whatever its body`, async () => {
      for (const [headers, body] of [
        [{}, undefined],
        [{ 'content-type': 'application/json' }, '{"not":"json'],
      ] as const) {
        const response = await send(`${base}${path}`, 'QUERY', headers, body);
        assert.equal(response.status, 405);
        assert.equal(JSON.parse(response.body).error.code, 'METHOD_NOT_ALLOWED');
        assert.ok(String(response.headers.allow).length > 0, 'Allow names the methods the path takes');
      }
    });
  }

  it('TRACE, PUT and DELETE on the OpenAPI document answer 405 with Allow: GET, HEAD', async () => {
    for (const method of ['TRACE', 'PUT', 'DELETE']) {
      const response = await send(`${base}/api/openapi.json`, method);
      assert.equal(response.status, 405, method);
      assert.equal(JSON.parse(response.body).error.code, 'METHOD_NOT_ALLOWED');
      assert.deepEqual(String(response.headers.allow).split(', ').sort(), ['GET', 'HEAD']);
    }
  });

  it('an unknown path still answers 404, even to a body-taking method without a body', async () => {
    const response = await send(`${base}/api/nothing-here`, 'QUERY');
    assert.equal(response.status, 404);
    assert.equal(JSON.parse(response.body).error.code, 'NOT_FOUND');
  });
});
