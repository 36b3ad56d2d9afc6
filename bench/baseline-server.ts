/**
 * @module bench/baseline-server
 * The baseline of the list-services benchmark: a bare Fastify 5 server, logger off, with one route,
 * `GET /api/services`, that returns a fixed JSON body (read once from BENCH_BODY_FILE and serialised by
 * Fastify on every request, as a plain route returning an object would be) — or, with
 * BENCH_BASELINE_MODE=bytes, the file's exact bytes sent as they are (no serialisation at all). No auth, no
 * hooks, no schema.
 *
 * Environment: BENCH_BODY_FILE (required), BENCH_BASELINE_MODE (`object`, the default, or `bytes`), HOST
 * (default 127.0.0.1), PORT (required).
 * Run by bench/list-services.ts: `node --import tsx bench/baseline-server.ts`.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const bodyFile = process.env.BENCH_BODY_FILE;
const port = Number(process.env.PORT);
if (bodyFile === undefined || !Number.isInteger(port) || port <= 0) {
  console.error('baseline-server: set BENCH_BODY_FILE and PORT');
  process.exit(2);
}

const bytes = readFileSync(bodyFile);
const body: unknown = JSON.parse(bytes.toString('utf8'));
const app = Fastify({ logger: false });
if (process.env.BENCH_BASELINE_MODE === 'bytes') {
  app.get('/api/services', (_request, reply) => {
    reply.type('application/json; charset=utf-8').send(bytes);
  });
} else {
  app.get('/api/services', async () => body);
}

process.once('SIGTERM', () => {
  app.close().then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
});

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port });
