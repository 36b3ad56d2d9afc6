/**
 * @module delivery/formats
 * Variables written for the tools that read them: a dotenv file, POSIX shell `export` lines, or JSON. Every
 * value is quoted so that quotes, `$`, backslashes and newlines arrive unchanged.
 */
import { MlaasError } from '../lib/errors.js';

/** Formats of `mlaas env`. */
export const ENV_FORMATS = ['dotenv', 'shell', 'json'] as const;
export type EnvFormat = (typeof ENV_FORMATS)[number];

/**
 * Parses a `--format` value.
 * @throws MlaasError USAGE_ERROR for anything else.
 *
 * @example
 * ```ts
 * parseEnvFormat('shell'); // 'shell'
 * ```
 */
export function parseEnvFormat(value: string): EnvFormat {
  if ((ENV_FORMATS as readonly string[]).includes(value)) return value as EnvFormat;
  throw new MlaasError('USAGE_ERROR', `--format must be one of ${ENV_FORMATS.join(', ')}, not "${value}"`);
}

/**
 * Quotes a value for POSIX shells: always single quotes, so nothing inside is expanded (a `'` becomes `'\''`).
 *
 * @example
 * ```ts
 * singleQuote("it's $HOME"); // "'it'\\''s $HOME'"
 * ```
 */
export function singleQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quotes a value for a dotenv file. Single quotes when the value has no `'` and no line break: every dotenv
 * reader (direnv, docker compose, the `dotenv` package) takes those literally. Otherwise double quotes with
 * `\\`, `"`, `$` backslash-escaped and line breaks as `\n` / `\r`, as direnv and docker compose read them.
 *
 * @example
 * ```ts
 * dotenvQuote('a$b'); // "'a$b'"
 * dotenvQuote("it's"); // '"it\'s"'
 * ```
 */
export function dotenvQuote(value: string): string {
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  const escaped = value.replace(/[\\"$\n\r]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
  return `"${escaped}"`;
}

/**
 * Renders variables in a format; the output ends with a newline.
 *
 * @example
 * ```ts
 * renderEnv({ MLAAS_X_API_KEY: 'k' }, 'shell'); // "export MLAAS_X_API_KEY='k'\n"
 * ```
 */
export function renderEnv(variables: Record<string, string>, format: EnvFormat): string {
  const entries = Object.entries(variables);
  switch (format) {
    case 'json':
      return `${JSON.stringify(variables, null, 2)}\n`;
    case 'shell':
      return entries.map(([name, value]) => `export ${name}=${singleQuote(value)}\n`).join('');
    case 'dotenv':
      return entries.map(([name, value]) => `${name}=${dotenvQuote(value)}\n`).join('');
  }
}
