/**
 * @module test/support/helper-harness
 * Builds a real helper (embedded store in a temp dir, a test issuer) for in-process tests, with its log
 * lines captured so tests can check what was — and was not — logged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHelper, type Helper } from '../../src/app/create-helper.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/logger.js';
import { captureLines } from './capture-log.js';
import { startTestIssuer, type TestIssuer } from './test-issuer.js';

export interface Harness {
  helper: Helper;
  issuer: TestIssuer;
  dataDir: string;
  /** Every log line the helper wrote, as text. */
  logs: string[];
  close(): Promise<void>;
}

/** Starts a test issuer (unless given) and builds a helper on the embedded store against it. */
export async function startHarness(
  env: Record<string, string> = {},
  given?: { issuer?: TestIssuer; dataDir?: string; now?: () => Date },
): Promise<Harness> {
  const issuer = given?.issuer ?? (await startTestIssuer());
  const dataDir = given?.dataDir ?? mkdtempSync(join(tmpdir(), 'mlaas-test-'));
  const { stream: sink, lines: logs } = captureLines();
  const config = loadConfig({
    OIDC_ISSUER: issuer.url,
    KEYCLOAK_CLIENT_ID: issuer.clientId,
    APIM_BACKEND: 'embedded',
    MLAAS_DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'info',
    ...env,
  });
  const helper = await createHelper(config, {
    logger: createLogger({ level: 'info', destination: sink }),
    defaultMetrics: false,
    ...(given?.now ? { now: given.now } : {}),
  });
  await helper.app.ready();
  return {
    helper,
    issuer,
    dataDir,
    logs,
    async close() {
      await helper.close();
      if (given?.issuer === undefined) await issuer.close();
      if (given?.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
