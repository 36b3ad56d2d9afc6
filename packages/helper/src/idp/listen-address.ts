/**
 * @module idp/listen-address
 * What the embedded issuer derives from the address the helper listens on: whether it is loopback-only
 * (demo users are allowed only then), and its issuer URL.
 */
import { createServer } from 'node:net';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/** Whether a listen host is reachable from this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Whether a listen host means "every interface", which names no address an issuer URL could use. */
export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host.trim());
}

/**
 * The issuer URL for a listen address: `http://<host>:<port>/realms/<realm>`.
 * @example issuerForListenAddress('127.0.0.1', 5000) // 'http://127.0.0.1:5000/realms/mlaas'
 */
export function issuerForListenAddress(host: string, port: number, realm = 'mlaas'): string {
  const h = host.trim();
  const hostPart = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
  return `http://${hostPart}:${port}/realms/${encodeURIComponent(realm)}`;
}

/**
 * A port free on `host` right now, for a server that must know its own URL before it listens.
 * (Another process could take it in between; the listen then fails loudly.)
 */
export async function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
