/**
 * @module test/support/secret-scan
 * Looks for secrets in captured output — log lines, response bodies and headers, metrics, URLs, a child
 * process's stdout and stderr — and names where each one leaked. A JWT also counts as leaked when its
 * signature alone appears, since that identifies the token.
 */

/** A piece of captured output and where it came from. */
export interface Captured {
  where: string;
  text: string;
}

/** Secrets shorter than this are not searched for: they would match by chance. */
const MIN_SECRET_LENGTH = 12;

/**
 * Every (secret, place) pair where a secret appears, as readable lines; empty when nothing leaked.
 * @example assert.deepEqual(findLeaks([{ where: 'logs', text: logs.join('') }], [token, apiKey]), []);
 */
export function findLeaks(captured: readonly Captured[], secrets: readonly string[]): string[] {
  const needles = new Map<string, string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH)
      throw new Error(`a secret to look for is too short to be distinctive: ${secret.length} characters`);
    needles.set(secret, describe(secret));
    const signature = secret.split('.')[2];
    if (signature !== undefined && signature.length >= MIN_SECRET_LENGTH)
      needles.set(signature, `the signature of ${describe(secret)}`);
  }
  const leaks: string[] = [];
  for (const { where, text } of captured) {
    for (const [needle, what] of needles) {
      if (text.includes(needle)) leaks.push(`${what} appears in ${where}`);
    }
  }
  return leaks;
}

/** Enough of a secret to tell which one leaked, not enough to use it. */
function describe(secret: string): string {
  return `secret ${secret.slice(0, 8)}… (${secret.length} characters)`;
}

/** Headers of a response as one text, for scanning. */
export function headerText(headers: Record<string, unknown>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join('\n');
}
