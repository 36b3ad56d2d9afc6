/**
 * Found while writing the SIGTERM fault test, in Fastify's drain path: a request that reached the helper
 * while it was shutting down, on a connection that was already open, got Fastify's own 503 body
 * (`{"error":"Service Unavailable",…}`) — not the API's error envelope, and without its security headers.
 * It now gets a 503 NOT_READY envelope with Retry-After, and the connection is closed after it.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startHarness } from '../support/helper-harness.js';

describe('a request reaching a closing server', () => {
  it('gets the NOT_READY envelope with Retry-After, the security headers and Connection: close', async () => {
    const h = await startHarness();
    const { port } = new URL(await h.helper.listen());
    const token = await h.issuer.token();
    // A request held in flight (the issuer's keys take a while) keeps the server closing, not closed.
    h.issuer.setDelay(800);
    const inFlight = fetch(`http://127.0.0.1:${port}/api/services`, { headers: { authorization: `Bearer ${token}` } });
    // Another connection has begun a request — it is not idle, so closing does not drop it.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = h.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = new Promise<string>((resolve) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('close', () => resolve(text));
    });
    socket.write('\r\n');
    try {
      const raw = await answer;
      const [head = '', body = ''] = raw.split('\r\n\r\n');
      assert.match(head, /^HTTP\/1\.1 503 /);
      assert.match(head, /^x-content-type-options: nosniff$/im);
      assert.match(head, /^x-frame-options: DENY$/im);
      assert.match(head, /^retry-after: 1$/im);
      assert.match(head, /^connection: close$/im);
      const json = JSON.parse(body);
      assert.deepEqual(Object.keys(json), ['status', 'error']);
      assert.equal(json.error.code, 'NOT_READY');
      assert.equal((await inFlight).status, 200, 'the request in flight still completes');
    } finally {
      socket.destroy();
      await closed;
    }
  });
});
