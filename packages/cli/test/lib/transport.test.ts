/**
 * @module test/sdk/transport
 * The HTTP transport: an extra CA from --ca-file makes a private HTTPS server trusted; without it the
 * certificate is refused with a hint; unreachable servers and timeouts have their own codes.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MlaasError } from '../../src/lib/errors.js';
import { createTransport } from '../../src/lib/transport.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { runCli } from '../support/stack.js';

const dir = mkdtempSync(join(tmpdir(), 'mlaas-tls-'));
let hasOpenssl = true;
try {
  execFileSync('openssl', ['version']);
} catch {
  hasOpenssl = false;
}

describe('transport', () => {
  let server: Server;
  let url = '';
  const caFile = join(dir, 'ca.pem');
  before(async () => {
    if (!hasOpenssl) return;
    // A private CA and a certificate for 127.0.0.1 signed by it.
    const sh = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    sh([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=MLaaS Test CA',
    ]);
    sh([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    ]);
    writeSanExtension(dir);
    sh([
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ]);
    server = createServer(
      { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) },
      (_req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ status: 'success', data: { status: 'healthy' } }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('trusts a private CA given as extra CA', { skip: !hasOpenssl && 'openssl not installed' }, async () => {
    const send = createTransport({ extraCa: readFileSync(caFile, 'utf8') });
    const response = await send({ method: 'GET', url: `${url}/api/health` });
    assert.equal(response.status, 200);
  });

  it(
    'refuses an untrusted certificate, with a hint about --ca-file',
    { skip: !hasOpenssl && 'openssl not installed' },
    async () => {
      await assert.rejects(createTransport()({ method: 'GET', url: `${url}/api/health` }), (error: unknown) => {
        assert.ok(error instanceof MlaasError);
        assert.equal(error.code, 'NETWORK_ERROR');
        assert.match(error.hint ?? '', /--ca-file/);
        return true;
      });
    },
  );

  it(
    'mlaas health --ca-file works end to end; without it exit 1',
    { skip: !hasOpenssl && 'openssl not installed' },
    async () => {
      const env = { MLAAS_CONFIG_DIR: dir, MLAAS_HELPER_URL: url };
      const ok = await runCli(['health', '--ca-file', caFile], { env });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, `healthy: ${url}\n`);
      const viaEnv = await runCli(['health'], { env: { ...env, MLAAS_CA_FILE: caFile } });
      assert.equal(viaEnv.code, 0, viaEnv.stderr);
      const refused = await runCli(['health'], { env });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /\(NETWORK_ERROR\)/);
      const missing = await runCli(['health', '--ca-file', join(dir, 'nope.pem')], { env });
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--ca-file: cannot use .*nope\.pem as a CA file/);
    },
  );

  it('connection refused is NETWORK_ERROR', async () => {
    const probe = createHttpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    await assert.rejects(
      createTransport()({ method: 'GET', url: `http://127.0.0.1:${port}/` }),
      (error: unknown) =>
        error instanceof MlaasError && error.code === 'NETWORK_ERROR' && /connection refused/.test(error.message),
    );
  });

  it('a server that does not answer in time is TIMEOUT', async () => {
    const silent = createHttpServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      await assert.rejects(
        createTransport({ timeoutMs: 200 })({ method: 'GET', url: `http://127.0.0.1:${port}/` }),
        (error: unknown) => error instanceof MlaasError && error.code === 'TIMEOUT',
      );
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("a caller's deadline that runs out is TIMEOUT (exit 1), not CANCELLED; an abort by the caller is CANCELLED", async () => {
    const silent = createHttpServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/.well-known/openid-configuration`;
      const send = createTransport();
      await assert.rejects(
        send({ method: 'GET', url, signal: AbortSignal.timeout(100) }),
        (error: unknown) => error instanceof MlaasError && error.code === 'TIMEOUT' && exitCodeFor(error.code) === 1,
      );
      const controller = new AbortController();
      const pending = send({ method: 'GET', url, signal: controller.signal });
      controller.abort();
      await assert.rejects(pending, (error: unknown) => error instanceof MlaasError && error.code === 'CANCELLED');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports each call on the trace with secrets masked', async () => {
    const echo = createHttpServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      const lines: string[] = [];
      const port = (echo.address() as AddressInfo).port;
      await createTransport({ trace: (line) => lines.push(line) })({
        method: 'GET',
        url: `http://127.0.0.1:${port}/x?user_key=secret&a=1`,
        headers: { authorization: 'Bearer secret' },
      });
      assert.equal(lines.length, 1);
      assert.match(lines[0] ?? '', /^http: GET http:\/\/127\.0\.0\.1:\d+\/x\?user_key=\*\*\*&a=1 → 200 \(\d+ ms\)$/);
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});

function writeSanExtension(cwd: string): void {
  // subjectAltName: clients match the IP address against it, not against the CN.
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\n" > ext.cnf'], { cwd });
}
