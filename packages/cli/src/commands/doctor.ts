/**
 * @module commands/doctor
 * `mlaas doctor`: what the CLI would use and whether it works — every setting with its source, the CA in
 * use, the helper and the issuer reachable (and how long each took), this machine's clock against theirs, the
 * sign-in state, where tokens are kept and who can read them, and the helper's version against the CLI's.
 * Never signs in and never renews a token. Exits 1 when any check fails.
 */
import { readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { CommandContext } from '../cli/context.js';
import { ExitStatus } from '../cli/exit-status.js';
import {
  clockCheck,
  permissionCheck,
  reachFix,
  tokenCheck,
  versionCheck,
  type Check,
} from '../delivery/doctor-checks.js';
import { renderChecks } from '../delivery/doctor-render.js';
import type { Settings } from '../config/settings.js';
import { MlaasError } from '../lib/errors.js';
import { createTransport, type HttpResponse, type HttpTransport } from '../lib/transport.js';
import { decodeJwtClaims } from '../store/token-set.js';
import { CLI_VERSION } from '../version.js';

/** Time allowed for each probe: a doctor must answer even when a server hangs. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * Runs every check and prints the report (`--json`: `{ ok, checks }`).
 * @throws ExitStatus 1 when any check failed (after printing the report).
 *
 * @example
 * ```ts
 * await runDoctor(ctx);
 * ```
 */
export async function runDoctor(ctx: CommandContext): Promise<void> {
  const checks = await diagnose(ctx);
  const ok = checks.every((c) => c.ok);
  if (ctx.json) ctx.printJson({ ok, cli_version: CLI_VERSION, checks });
  else ctx.io.stdout.write(renderChecks(checks));
  if (!ok) throw new ExitStatus(1);
}

async function diagnose(ctx: CommandContext): Promise<Check[]> {
  let settings: Settings;
  try {
    settings = ctx.settings();
  } catch (error) {
    const message = error instanceof MlaasError ? error.message : String(error);
    return [{ name: 'settings', ok: false, detail: message, fix: 'mlaas config show, then correct the value named' }];
  }
  const checks: Check[] = settingChecks(settings);
  const { check: caCheck, extraCa } = caFileCheck(settings);
  checks.push(caCheck, ...tlsChecks(settings));

  const send = createTransport({ timeoutMs: PROBE_TIMEOUT_MS, ...(extraCa !== undefined ? { extraCa } : {}) });
  const [helper, issuer] = await Promise.all([
    probe(send, `${settings.helperUrl.value}/api/health`, 'helper', settings.helperUrl.origin, isHealthy),
    probe(send, `${settings.issuer}/.well-known/openid-configuration`, 'issuer', settings.keycloakUrl.origin, (json) =>
      isIssuer(json, settings.issuer),
    ),
  ]);
  checks.push(helper.check, issuer.check);
  if (helper.timing !== null)
    checks.push(clockCheck('helper', helper.timing.date, helper.timing.sent, helper.timing.received));
  if (issuer.timing !== null)
    checks.push(clockCheck('issuer', issuer.timing.date, issuer.timing.sent, issuer.timing.received));

  checks.push(...(await tokenChecks(ctx, settings)));
  checks.push(helper.check.ok ? await versionOfHelper(send, settings) : notChecked('versions', 'the helper'));
  return checks;
}

function settingChecks(settings: Settings): Check[] {
  const shown: [string, { value: unknown; origin: string }][] = [
    ['profile', settings.profile],
    ['helper URL', settings.helperUrl],
    ['Keycloak URL', settings.keycloakUrl],
    ['Keycloak realm', settings.keycloakRealm],
    ['client id', settings.keycloakClientId],
    ['CA file', settings.caFile],
    ['token store', settings.tokenStore],
    ['insecure HTTP allowed', settings.allowInsecureHttp],
  ];
  return [
    ...shown.map(([name, s]) => ({
      name: `setting ${name}`,
      ok: true,
      detail: `${String(s.value ?? '(none)')}  [${s.origin}]`,
    })),
    { name: 'setting config dir', ok: true, detail: settings.configDir },
  ];
}

function caFileCheck(settings: Settings): { check: Check; extraCa?: string } {
  const path = settings.caFile.value;
  if (path === null) return { check: { name: 'CA', ok: true, detail: 'the system root certificates' } };
  try {
    const pem = readFileSync(path, 'utf8');
    const count = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
    if (count === 0) throw new Error('no PEM certificate in it');
    return {
      check: { name: 'CA', ok: true, detail: `the system root certificates and ${count} from ${path}` },
      extraCa: pem,
    };
  } catch (error) {
    return {
      check: {
        name: 'CA',
        ok: false,
        detail: `cannot use ${path} (${settings.caFile.origin}): ${(error as Error).message}`,
        fix: `point ${settings.caFile.origin} at a PEM file with the CA certificate`,
      },
    };
  }
}

function tlsChecks(settings: Settings): Check[] {
  return [['TLS to helper', settings.helperUrl] as const, ['TLS to issuer', settings.keycloakUrl] as const].map(
    ([name, setting]) => {
      const url = new URL(setting.value);
      if (url.protocol === 'https:') return { name, ok: true, detail: `https (${url.host})` };
      if (isLoopback(url.hostname)) return { name, ok: true, detail: `plain http on this machine (${url.host})` };
      return {
        name,
        ok: false,
        detail: `plain http to ${url.host}: tokens would travel unencrypted`,
        fix: `use an https URL for ${setting.origin}`,
      };
    },
  );
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}

interface Timing {
  date: string | undefined;
  sent: number;
  received: number;
}

async function probe(
  send: HttpTransport,
  url: string,
  name: 'helper' | 'issuer',
  origin: string,
  accept: (json: unknown) => string | null,
): Promise<{ check: Check; timing: Timing | null }> {
  const sentWall = Date.now();
  const started = performance.now();
  let response: HttpResponse;
  try {
    response = await send({ method: 'GET', url, headers: { accept: 'application/json' } });
  } catch (error) {
    const message = error instanceof MlaasError ? error.message : (error as Error).message;
    return {
      check: {
        name,
        ok: false,
        detail: `${url} unreachable: ${message}`,
        fix: reachFix(message, origin),
        ms: performance.now() - started,
      },
      timing: null,
    };
  }
  const ms = performance.now() - started;
  const timing = { date: headerValue(response, 'date'), sent: sentWall, received: Date.now() };
  let problem: string | null;
  try {
    problem = response.status === 200 ? accept(JSON.parse(response.body.toString('utf8'))) : `HTTP ${response.status}`;
  } catch {
    problem = `HTTP ${response.status} without a JSON body`;
  }
  if (problem !== null) {
    return {
      check: { name, ok: false, detail: `${url} answered, but ${problem}`, fix: reachFix('', origin), ms },
      timing,
    };
  }
  return { check: { name, ok: true, detail: `${url} answers`, ms }, timing };
}

function isHealthy(json: unknown): string | null {
  const status = (json as { data?: { status?: unknown } } | null)?.data?.status;
  return status === 'healthy' ? null : 'it is not an MLaaS helper (no healthy status)';
}

function isIssuer(json: unknown, expected: string): string | null {
  const issuer = (json as { issuer?: unknown } | null)?.issuer;
  if (typeof issuer !== 'string') return 'it is not an OpenID Connect issuer';
  return issuer === expected ? null : `it calls itself ${issuer}, not ${expected}`;
}

function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function notChecked(name: string, what: string): Check {
  return { name, ok: false, detail: `not checked: ${what} cannot be reached`, fix: 'fix the checks above first' };
}

async function tokenChecks(ctx: CommandContext, settings: Settings): Promise<Check[]> {
  if (ctx.io.env.MLAAS_ACCESS_TOKEN) {
    const exp = decodeJwtClaims(ctx.io.env.MLAAS_ACCESS_TOKEN).exp;
    return [
      tokenCheck(
        {
          expiresAt: typeof exp === 'number' ? exp : Number.MAX_SAFE_INTEGER,
          hasRefreshToken: false,
          refreshExpiresAt: null,
        },
        Date.now() / 1000,
        settings.profile.value,
      ),
      { name: 'token store', ok: true, detail: 'not used: MLAAS_ACCESS_TOKEN is set' },
    ];
  }
  const checks: Check[] = [];
  try {
    const session = (await ctx.client()).session;
    const store = await session.store();
    const tokens = await session.current();
    const refreshExp = tokens?.refreshToken ? decodeJwtClaims(tokens.refreshToken).exp : undefined;
    checks.push(
      tokenCheck(
        tokens === null
          ? null
          : {
              expiresAt: tokens.expiresAt,
              hasRefreshToken: tokens.refreshToken !== null,
              refreshExpiresAt: typeof refreshExp === 'number' && refreshExp > 0 ? refreshExp : null,
            },
        Date.now() / 1000,
        settings.profile.value,
      ),
    );
    checks.push({ name: 'token store', ok: true, detail: `${store.kind}: ${store.location}` });
    if (store.kind === 'file') checks.push(...filePermissions(store.location, settings.configDir));
  } catch (error) {
    const message = error instanceof MlaasError ? error.message : (error as Error).message;
    if (error instanceof MlaasError && error.code === 'INVALID_SETTING') {
      // The client cannot be built (a CA file that cannot be used): reported by the setting's own check.
      checks.push({ name: 'sign-in', ok: false, detail: `not checked: ${message}`, fix: 'fix the checks above first' });
      return checks;
    }
    checks.push({
      name: 'token store',
      ok: false,
      detail: `cannot read the tokens: ${message}`,
      fix: 'mlaas logout && mlaas login (or set MLAAS_TOKEN_STORE=file)',
    });
  }
  return checks;
}

function filePermissions(file: string, configDir: string): Check[] {
  const checks: Check[] = [];
  for (const [name, path, kind] of [
    ['config dir', configDir, 'directory'],
    ['token file', file, 'file'],
  ] as const) {
    try {
      checks.push(permissionCheck(name, path, statSync(path).mode, kind));
    } catch {
      checks.push({ name, ok: true, detail: `${path} (not created yet)` });
    }
  }
  return checks;
}

async function versionOfHelper(send: HttpTransport, settings: Settings): Promise<Check> {
  // The helper publishes its version in its OpenAPI document.
  try {
    const response = await send({ method: 'GET', url: `${settings.helperUrl.value}/api/openapi.json` });
    const version = (JSON.parse(response.body.toString('utf8')) as { info?: { version?: unknown } }).info?.version;
    return versionCheck(CLI_VERSION, response.status === 200 && typeof version === 'string' ? version : null);
  } catch {
    return versionCheck(CLI_VERSION, null);
  }
}
