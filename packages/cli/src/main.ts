/**
 * @module main
 * Runs the CLI for an argument list and turns every outcome into an exit code — the only place that does:
 * 0 ok, 1 error, 2 usage, 4 sign-in needed or failed, 130 cancelled.
 */
import type { CommanderError } from 'commander';
import { ExitStatus } from './cli/exit-status.js';
import { translateLegacyFlags } from './cli/legacy-flags.js';
import { commandPath } from './cli/command-table.js';
import { EXIT, exitCodeFor } from './cli/exit-codes.js';
import type { Io } from './cli/io.js';
import { buildProgram } from './cli/program.js';
import { MlaasError } from './lib/errors.js';
import { maskSecrets } from './lib/mask.js';
import { formatError } from './output/format-error.js';

export { EXIT, exitCodeFor } from './cli/exit-codes.js';

/**
 * Runs `mlaas` with the given arguments (without `node` and the script) and resolves the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIo());
 * ```
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  // The one place MLAAS_VERBOSE is read; commands get the answer through their context.
  const verboseFromEnv = io.env.MLAAS_VERBOSE === '1';
  const verbose = argv.includes('--verbose') || verboseFromEnv;
  let args: string[] = [...argv];
  try {
    args = translateLegacyFlags(argv);
    const program = buildProgram(io, { verboseFromEnv });
    if (args.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    assertHelpTopicExists(args);
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ExitStatus) return error.code;
    return report(error, io, verbose, args);
  }
}

/** `mlaas help nope` is a usage error, not the top-level help. */
function assertHelpTopicExists(args: readonly string[]): void {
  const help = args.indexOf('help');
  if (help === -1 || commandPath(args.slice(0, help)).length !== help) return;
  const topic = args.slice(help + 1).filter((word) => !word.startsWith('-'));
  const known = commandPath(topic);
  if (known.length < topic.length) {
    const where = ['mlaas', ...known].join(' ');
    throw new MlaasError('USAGE_ERROR', `no help topic "${topic.join(' ')}"`, {
      hint: `run ${where} --help for the commands there`,
    });
  }
}

function report(error: unknown, io: Io, verbose: boolean, args: readonly string[]): number {
  if (isCommanderError(error)) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return EXIT.ok;
    const message = error.message.replace(/^error:\s*/i, '');
    // Point at the help of the command the user was in: a typo in `services lsit` is about `services`.
    const where = ['mlaas', ...commandPath(args)].join(' ');
    io.stderr.write(`error: ${message} (USAGE_ERROR)\nhint: run ${where} --help for usage\n`);
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
