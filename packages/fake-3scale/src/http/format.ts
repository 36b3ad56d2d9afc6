/**
 * @module http/format
 * The response format, chosen by the path suffix: `.json`, `.xml`, or none — which means XML, since the
 * Admin API routes default to `format: 'xml'` (reference §1). Any other suffix is a 406.
 */

export type Format = 'json' | 'xml';

/** The path without its format suffix, and the format (`unknown` for an unsupported suffix). */
export function splitFormat(pathname: string): { path: string; format: Format | 'unknown' } {
  const slash = pathname.lastIndexOf('/');
  const dot = pathname.lastIndexOf('.');
  if (dot <= slash) return { path: pathname, format: 'xml' };
  const ext = pathname.slice(dot + 1);
  const path = pathname.slice(0, dot);
  if (ext === 'json') return { path, format: 'json' };
  if (ext === 'xml') return { path, format: 'xml' };
  return { path, format: 'unknown' };
}

/** The Content-Type Rails sends for a format (reference §1). */
export function contentTypeOf(format: Format): string {
  return format === 'json' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8';
}
