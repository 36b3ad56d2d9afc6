/**
 * @module test/support/test-issuer
 * A minimal OpenID issuer for tests: RSA keys generated in the test, discovery and JWKS served on loopback,
 * tokens signed on demand. It can rotate keys, go down, and count how often its keys are fetched.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose';

interface SigningKey {
  kid: string;
  privateKey: Parameters<SignJWT['sign']>[0];
  publicJwk: JWK;
}

export interface TokenOptions {
  claims?: JWTPayload;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  notBefore?: number;
  issuer?: string;
  audience?: string | string[] | null;
  kid?: string;
  /** Sign with a key that is not published. */
  unpublishedKey?: boolean;
  /** Protected header fields to set or replace (`typ`: undefined leaves it out). */
  header?: Record<string, unknown>;
}

export interface TestIssuer {
  url: string;
  clientId: string;
  jwksFetches(): number;
  token(options?: TokenOptions): Promise<string>;
  /** Publishes a new key (old ones stay published unless `dropOld`) and signs with it from now on. */
  rotate(options?: { dropOld?: boolean }): Promise<void>;
  setDown(down: boolean): void;
  /** Delays every answer by this many milliseconds. */
  setDelay(ms: number): void;
  /** Ends the session of a token: its userinfo answers 401 from now on. */
  endSession(token: string): void;
  /** Userinfo requests answered so far. */
  userinfoCalls(): number;
  close(): Promise<void>;
}

async function newKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/**
 * Starts an issuer at http://127.0.0.1:<free port>/realms/test.
 * @example const issuer = await startTestIssuer(); const token = await issuer.token({ claims: { preferred_username: 'alice' } });
 */
export async function startTestIssuer(options: { clientId?: string } = {}): Promise<TestIssuer> {
  const clientId = options.clientId ?? 'mlaas-cli';
  let keys: SigningKey[] = [await newKey('key-1')];
  const stray = await newKey('stray');
  let generation = 1;
  let down = false;
  let delayMs = 0;
  let fetches = 0;
  let userinfoCalls = 0;
  const ended = new Set<string>();
  let base = '';

  const server: Server = createServer((req, res) => {
    if (delayMs > 0) setTimeout(() => answer(req, res), delayMs);
    else answer(req, res);
  });
  function answer(req: IncomingMessage, res: ServerResponse) {
    if (down) {
      req.socket.destroy();
      return;
    }
    const issuer = `${base}/realms/test`;
    if (req.url === '/realms/test/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          issuer,
          jwks_uri: `${issuer}/protocol/openid-connect/certs`,
          token_endpoint: `${issuer}/token`,
          userinfo_endpoint: `${issuer}/protocol/openid-connect/userinfo`,
        }),
      );
    } else if (req.url === '/realms/test/protocol/openid-connect/certs') {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: keys.map((k) => k.publicJwk) }));
    } else if (req.url === '/realms/test/protocol/openid-connect/userinfo') {
      userinfoCalls += 1;
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      res.setHeader('content-type', 'application/json');
      if (token === undefined || ended.has(token)) {
        res.statusCode = 401;
        res.end('{"error":"invalid_token"}');
      } else {
        res.end('{"sub":"user-sub-1"}');
      }
    } else {
      res.statusCode = 404;
      res.end();
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${base}/realms/test`;

  return {
    url,
    clientId,
    jwksFetches: () => fetches,
    async token(opts: TokenOptions = {}): Promise<string> {
      const key = opts.unpublishedKey ? stray : (keys[keys.length - 1] as SigningKey);
      const now = Math.floor(Date.now() / 1000);
      const claims: JWTPayload = {
        sub: 'user-sub-1',
        preferred_username: 'alice',
        email: 'alice@example.org',
        email_verified: true,
        azp: clientId,
        realm_access: { roles: ['ml-user'] },
        ...opts.claims,
      };
      let jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? key.kid, typ: 'JWT', ...opts.header })
        .setIssuer(opts.issuer ?? url)
        .setIssuedAt(now)
        .setExpirationTime(now + (opts.expiresIn ?? 300));
      if (opts.audience !== null) jwt = jwt.setAudience(opts.audience ?? clientId);
      if (opts.notBefore !== undefined) jwt = jwt.setNotBefore(now + opts.notBefore);
      return jwt.sign(key.privateKey);
    },
    async rotate(rotateOptions = {}) {
      generation += 1;
      const fresh = await newKey(`key-${generation}`);
      keys = rotateOptions.dropOld ? [fresh] : [...keys, fresh];
    },
    setDown(value: boolean) {
      down = value;
    },
    setDelay(ms: number) {
      delayMs = ms;
    },
    endSession(token: string) {
      ended.add(token);
    },
    userinfoCalls: () => userinfoCalls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The public JWK of the issuer's current key, for attacks that misuse it. */
export async function publicJwkOf(issuer: TestIssuer): Promise<JWK> {
  const response = await fetch(`${issuer.url}/protocol/openid-connect/certs`);
  const { keys } = (await response.json()) as { keys: JWK[] };
  return keys[keys.length - 1] as JWK;
}
