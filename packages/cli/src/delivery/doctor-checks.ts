/**
 * @module delivery/doctor-checks
 * The judgements of `mlaas doctor`, as pure functions of what was observed: clock skew from a `Date`
 * header, file permissions, token expiry, versions. Each yields a {@link Check}: ✓ or ✗, what was seen, and
 * for a ✗ the command that fixes it.
 */

/** One line of the doctor's report. */
export interface Check {
  /** Short name of what was checked ("helper", "clock vs issuer", …). */
  name: string;
  ok: boolean;
  detail: string;
  /** The command (or step) that fixes a failed check. */
  fix?: string;
  /** How long the check's network call took, in milliseconds. */
  ms?: number;
}

/** Largest clock difference tolerated: tokens carry issued-at and expiry times in seconds. */
export const MAX_CLOCK_SKEW_SECONDS = 30;

/** Fix of a clock that is off. */
export const CLOCK_FIX = 'sync the clock of this machine: sudo timedatectl set-ntp true (or your OS time settings)';

/**
 * This machine's clock against a server's, from the server's `Date` header (one-second resolution) and the
 * local times the request was sent and answered.
 *
 * @example
 * ```ts
 * clockCheck('helper', 'Thu, 03 Dec 2026 19:00:00 GMT', sentMs, receivedMs);
 * ```
 */
export function clockCheck(
  server: string,
  dateHeader: string | undefined,
  sentAtMs: number,
  receivedAtMs: number,
): Check {
  const name = `clock vs ${server}`;
  const serverMs = dateHeader === undefined ? Number.NaN : Date.parse(dateHeader);
  if (Number.isNaN(serverMs)) return { name, ok: true, detail: `not compared: the ${server} sent no Date header` };
  // The header is truncated to the second: compare against the window [sent - 1 s, received].
  const ahead = (sentAtMs - 1000 - serverMs) / 1000;
  const behind = (serverMs - receivedAtMs) / 1000;
  const skew = ahead > 0 ? ahead : behind > 0 ? -behind : 0;
  const text =
    Math.abs(skew) < 1
      ? 'in step (within 1 s)'
      : `this machine is ${Math.abs(skew).toFixed(0)} s ${skew > 0 ? 'ahead of' : 'behind'} the ${server}`;
  if (Math.abs(skew) <= MAX_CLOCK_SKEW_SECONDS) return { name, ok: true, detail: text };
  return { name, ok: false, detail: `${text}: tokens may be refused as not yet valid or expired`, fix: CLOCK_FIX };
}

/**
 * Whether a file or directory is private to its owner (no group or other permission bits).
 *
 * @example
 * ```ts
 * permissionCheck('token file', '/home/a/.config/mlaas/credentials.json', 0o100600, 'file'); // ok
 * ```
 */
export function permissionCheck(name: string, path: string, mode: number, kind: 'file' | 'directory'): Check {
  const bits = mode & 0o777;
  const octal = bits.toString(8).padStart(4, '0');
  if ((bits & 0o077) === 0) return { name, ok: true, detail: `${path} (mode ${octal})` };
  return {
    name,
    ok: false,
    detail: `${path} (mode ${octal}) can be read by other users`,
    fix: `chmod ${kind === 'file' ? '600' : '700'} ${path}`,
  };
}

/** The stored tokens' facts the doctor looks at. */
export interface TokenFacts {
  /** Access-token expiry, seconds since the epoch. */
  expiresAt: number;
  hasRefreshToken: boolean;
  /** Refresh-token expiry when the token says so (a JWT with `exp`), seconds since the epoch. */
  refreshExpiresAt: number | null;
}

/**
 * The sign-in state: signed in, until when, and whether it renews itself.
 *
 * @example
 * ```ts
 * tokenCheck({ expiresAt: now + 300, hasRefreshToken: true, refreshExpiresAt: null }, now);
 * ```
 */
export function tokenCheck(tokens: TokenFacts | null, nowSeconds: number, profile: string): Check {
  const name = 'sign-in';
  if (tokens === null) {
    return { name, ok: false, detail: `not signed in (profile "${profile}")`, fix: 'mlaas login' };
  }
  const until = (at: number) => `${new Date(at * 1000).toISOString()} (${relative(at - nowSeconds)})`;
  const refreshAlive =
    tokens.hasRefreshToken && (tokens.refreshExpiresAt === null || tokens.refreshExpiresAt > nowSeconds);
  const renewal = refreshAlive
    ? `renewed automatically${tokens.refreshExpiresAt !== null ? ` until ${until(tokens.refreshExpiresAt)}` : ''}`
    : 'no renewal possible';
  if (tokens.expiresAt > nowSeconds) {
    return { name, ok: true, detail: `access token valid until ${until(tokens.expiresAt)}; ${renewal}` };
  }
  if (refreshAlive) return { name, ok: true, detail: `access token expired ${until(tokens.expiresAt)}; ${renewal}` };
  return { name, ok: false, detail: `session expired ${until(tokens.expiresAt)}`, fix: 'mlaas login' };
}

function relative(seconds: number): string {
  const abs = Math.abs(seconds);
  const text =
    abs < 120 ? `${Math.round(abs)} s` : abs < 7200 ? `${Math.round(abs / 60)} min` : `${Math.round(abs / 3600)} h`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/**
 * The helper's version against the CLI's: the same major and minor version (major only from 1.0 on) work
 * together.
 *
 * @example
 * ```ts
 * versionCheck('0.1.0', '0.1.3'); // ok
 * ```
 */
export function versionCheck(cliVersion: string, helperVersion: string | null): Check {
  const name = 'versions';
  if (helperVersion === null) {
    return { name, ok: true, detail: `CLI ${cliVersion}; the helper does not publish its version` };
  }
  const detail = `CLI ${cliVersion}, helper ${helperVersion}`;
  const [cliMajor, cliMinor] = cliVersion.split('.');
  const [helperMajor, helperMinor] = helperVersion.split('.');
  const compatible = cliMajor === helperMajor && (cliMajor !== '0' || cliMinor === helperMinor);
  if (compatible) return { name, ok: true, detail };
  return {
    name,
    ok: false,
    detail: `${detail}: different releases may not understand each other`,
    fix: `npm install -g mlaas@${helperMajor ?? ''}.${helperMinor ?? ''}`,
  };
}

/**
 * The fix for a server that could not be reached, from the error's text.
 *
 * @example
 * ```ts
 * reachFix('self-signed certificate in certificate chain', 'helper'); // mentions --ca-file
 * ```
 */
export function reachFix(message: string, setting: string): string {
  if (/certificate|self[- ]signed|SSL|TLS/i.test(message)) {
    return `trust the server's CA: mlaas --ca-file CA.pem … (or MLAAS_CA_FILE=CA.pem)`;
  }
  return `check that it runs and the URL is right: mlaas config show (set with ${setting})`;
}
