/**
 * @module config/secure-url
 * Plain-HTTP guard: tokens and keys travel over HTTPS, except to this machine (the embedded stack) or when
 * the user explicitly allows plain HTTP (`--allow-insecure-http`, `MLAAS_ALLOW_INSECURE_HTTP=true`).
 */
import { MlaasError } from '../lib/errors.js';

/**
 * Whether a URL points at this machine (localhost, 127.0.0.0/8, ::1).
 *
 * @example
 * ```ts
 * isLoopbackUrl('http://127.0.0.1:5000'); // true
 * ```
 */
export function isLoopbackUrl(href: string): boolean {
  const host = new URL(href).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Refuses a plain-HTTP URL to another machine unless allowed.
 * @throws MlaasError INVALID_SETTING naming the setting and how to allow it.
 *
 * @example
 * ```ts
 * assertSecureUrl('http://mlaas.example.org', 'the helper URL', false); // throws
 * ```
 */
export function assertSecureUrl(href: string, what: string, allowInsecureHttp: boolean): void {
  if (new URL(href).protocol === 'https:' || allowInsecureHttp || isLoopbackUrl(href)) return;
  throw new MlaasError(
    'INVALID_SETTING',
    `${what} ${href} uses plain HTTP to another machine; tokens would travel unencrypted`,
    {
      hint: 'Use an https:// URL, or pass --allow-insecure-http (MLAAS_ALLOW_INSECURE_HTTP=true) on a trusted network.',
    },
  );
}
