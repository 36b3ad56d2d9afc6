/**
 * @module lib/printable
 * Text from outside (a header, an environment variable) made safe to echo in a message: control characters
 * become `?`, and anything past `max` characters is cut with an ellipsis.
 */

/** @example printable('a\nb', 60) // 'a?b' */
export function printable(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
