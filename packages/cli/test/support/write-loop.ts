/**
 * @module test/support/write-loop
 * A process that rewrites the credentials file as fast as it can, with payloads of varying size, until it
 * is killed. Prints "writing" once the first write is done.
 */
import { createFileTokenStore } from '../../src/store/file-store.js';

const configDir = process.argv[2] as string;
const store = createFileTokenStore({ configDir });
let n = 0;
for (;;) {
  n += 1;
  const filler = 'x'.repeat(1000 + ((n * 7919) % 200_000));
  await store.write(`profile-${n % 3}`, {
    issuer: 'http://127.0.0.1/realms/mlaas',
    clientId: 'mlaas-cli',
    accessToken: `access-${n}-${filler}`,
    refreshToken: `refresh-${n}`,
    idToken: null,
    tokenType: 'Bearer',
    scope: null,
    expiresAt: n,
    obtainedAt: n,
  });
  if (n === 1) process.stdout.write('writing\n');
}
