/**
 * @module main
 * Runs the CLI for an argument list and turns every outcome into an exit code — the only place that does:
 * 0 ok, 1 error, 2 usage, 4 sign-in needed or failed, 130 cancelled.
 */
import type { CommanderError } from 'commander';
import type { Io } from './cli/io.js';
import { MlaasError, type MlaasErrorCode } from './lib/errors.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, error: 1, usage: 2, auth: 4, cancelled: 130 } as const;

const AUTH_CODES: ReadonlySet<MlaasErrorCode> = new Set([
  'AUTH_REQUIRED',
  'AUTH_FAILED',
  'LOGIN_TIMEOUT',
  'MISSING_AUTH',
  'INVALID_TOKEN',
]);
const USAGE_CODES: ReadonlySet<MlaasErrorCode> = new Set(['USAGE_ERROR', 'INVALID_SETTING']);

/**
 * The exit code for an error code.
 *
 * @example
 * ```ts
 * exitCodeFor('INVALID_TOKEN'); // 4
 * ```
 */
export function exitCodeFor(code: MlaasErrorCode): number {
  if (AUTH_CODES.has(code)) return EXIT.auth;
  if (USAGE_CODES.has(code)) return EXIT.usage;
  if (code === 'CANCELLED') return EXIT.cancelled;
  return EXIT.error;
}

/**
 * Runs `mlaas` with the given arguments (without `node` and the script) and resolves the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIo());
 * ```
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const verbose = argv.includes('--verbose') || io.env.MLAAS_VERBOSE === '1';
  try {
    const { translateLegacyFlags } = await import('./cli/legacy-flags.js');
    const args = translateLegacyFlags(argv);
    const { buildProgram } = await import('./cli/program.js');
    const program = buildProgram(io);
    if (args.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return report(error, io, verbose);
  }
}

async function report(error: unknown, io: Io, verbose: boolean): Promise<number> {
  // Loaded only on failure: a successful run does not pay for them.
  const [{ maskSecrets }, { formatError }] = await Promise.all([
    import('./lib/mask.js'),
    import('./output/format-error.js'),
  ]);
  if (isCommanderError(error)) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return EXIT.ok;
    const message = error.message.replace(/^error:\s*/i, '');
    io.stderr.write(`error: ${message} (USAGE_ERROR)\nhint: run mlaas --help for usage\n`);
    return EXIT.usage;
  }
  if (error instanceof MlaasError) {
    io.stderr.write(formatError(error));
    if (verbose && error.cause instanceof Error && error.cause.stack)
      io.stderr.write(`cause: ${maskSecrets(error.cause.stack)}\n`);
    return exitCodeFor(error.code);
  }
  const unexpected = error as Error;
  io.stderr.write(`error: ${maskSecrets(unexpected?.message ?? String(error))} (INTERNAL_ERROR)\n`);
  if (verbose && unexpected?.stack) io.stderr.write(`${maskSecrets(unexpected.stack)}\n`);
  else io.stderr.write('hint: this is a bug in mlaas; run again with --verbose for details\n');
  return EXIT.error;
}

function isCommanderError(error: unknown): error is CommanderError {
  // By code, not class name: the single-file binary is minified.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('commander.');
}
