/**
 * @module lib/mask
 * Hides secrets in text meant for a terminal or a log: query parameters that carry keys, tokens, codes or
 * passwords, URL credentials, and bearer tokens.
 */

/** Query parameter names whose values are secret (API keys, tokens, authorization codes, passwords). */
const SECRET_PARAMETER =
  /key|token|secret|passw|code|verifier|session|assertion|ticket|credential|app_id|signature|sig$/i;
const MASK = '***';

/**
 * A URL safe to print: user info removed and secret query values replaced by `***`.
 *
 * @example
 * ```ts
 * maskUrl('https://gw.example/v1?user_key=abc&model=x'); // 'https://gw.example/v1?user_key=***&model=x'
 * ```
 */
export function maskUrl(href: string): string {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return MASK;
  }
  if (url.username !== '' || url.password !== '') {
    url.username = MASK;
    url.password = '';
  }
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (SECRET_PARAMETER.test(name)) url.searchParams.set(name, MASK);
  }
  return url.href.replace(/%2A%2A%2A/g, MASK);
}

/**
 * Replaces bearer tokens, JWT-looking strings and the given secrets in a text.
 *
 * @example
 * ```ts
 * maskSecrets('Authorization: Bearer eyJ...', []); // 'Authorization: Bearer ***'
 * ```
 */
export function maskSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${MASK}`)
    .replace(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, MASK);
  for (const secret of secrets) {
    if (secret.length >= 6) out = out.split(secret).join(MASK);
  }
  return out;
}
