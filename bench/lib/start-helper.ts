/**
 * @module bench/lib/start-helper
 * Starts the built helper as a child process on loopback, on the embedded store or on a (fake) 3scale, with
 * the benchmarks' settings: a loopback test issuer, `LOG_LEVEL=warn` and every rate limit off, then the
 * `--helper-env` overrides.
 */
import { BENCH_HOST, findFreePort, startChildServer, type ChildServer } from './child-server.js';
import type { HelperOptions } from './options.js';

/** The OIDC client the helper is configured for and the test issuer signs tokens for. */
export const BENCH_CLIENT_ID = 'mlaas-cli';

/** Where the helper keeps accounts and keys. */
export type HelperBackend =
  | { kind: 'embedded'; /** The embedded store's directory (`MLAAS_DATA_DIR`). */ dataDir: string }
  | {
      kind: 'threescale';
      /** The Admin API to call, e.g. the fake 3scale. */ adminApi: { url: string; accessToken: string };
    };

export interface StartHelperOptions extends HelperOptions {
  backend: HelperBackend;
  /** The test issuer's URL (`OIDC_ISSUER`). */
  issuerUrl: string;
  /** The helper's working directory. */
  workDir: string;
}

/**
 * Starts the helper on a free port and resolves once `/api/ready` answers.
 * @example const helper = await startHelper({ ...options, backend: { kind: 'threescale', adminApi: fake }, issuerUrl: issuer.url, workDir });
 */
export async function startHelper(options: StartHelperOptions): Promise<ChildServer> {
  const port = await findFreePort();
  return startChildServer({
    name: 'helper',
    nodeArgs: [...options.helperNodeArgs, options.helperBin],
    cwd: options.workDir,
    port,
    readyPath: '/api/ready',
    env: {
      OIDC_ISSUER: options.issuerUrl,
      KEYCLOAK_CLIENT_ID: BENCH_CLIENT_ID,
      ...backendEnv(options.backend),
      HOST: BENCH_HOST,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      // The limiter is off so that the benchmark measures the work, not 429s (many users at these rates
      // would exceed the per-user limits).
      RATE_LIMIT_USER_PER_MINUTE: '0',
      RATE_LIMIT_IP_PER_MINUTE: '0',
      RATE_LIMIT_INIT_PER_MINUTE: '0',
      ...options.helperEnv,
    },
  });
}

function backendEnv(backend: HelperBackend): Record<string, string> {
  if (backend.kind === 'embedded') return { APIM_BACKEND: 'embedded', MLAAS_DATA_DIR: backend.dataDir };
  return {
    APIM_BACKEND: 'threescale',
    THREESCALE_ADMIN_API_URL: backend.adminApi.url,
    THREESCALE_ADMIN_API_KEY: backend.adminApi.accessToken,
  };
}
