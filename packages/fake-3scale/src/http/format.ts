/**
 * @module http/format
 * The response format, chosen by the path suffix: `.json`, `.xml`, or none — which means XML, since the
 * Admin API routes default to `format: 'xml'`. Any other suffix is a 406.
 */

export type Format = 'json' | 'xml';

/** The path without the suffix after the last `.` of its last segment, and that suffix (undefined when there is none). */
export function splitSuffix(pathname: string): { path: string; suffix: string | undefined } {
  const slash = pathname.lastIndexOf('/');
  const dot = pathname.lastIndexOf('.');
  if (dot <= slash) return { path: pathname, suffix: undefined };
  return { path: pathname.slice(0, dot), suffix: pathname.slice(dot + 1) };
}

/** The path without its format suffix, and the format (`unknown` for an unsupported suffix). */
export function splitFormat(pathname: string): { path: string; format: Format | 'unknown' } {
  const { path, suffix: ext } = splitSuffix(pathname);
  if (ext === undefined) return { path, format: 'xml' };
  if (ext === 'json') return { path, format: 'json' };
  if (ext === 'xml') return { path, format: 'xml' };
  return { path, format: 'unknown' };
}

/** The Content-Type Rails sends for a format. */
export function contentTypeOf(format: Format): string {
  return format === 'json' ? 'application/json; charset=utf-8' : 'application/xml; charset=utf-8';
}
