/**
 * @module commands/run
 * `mlaas run [--service ID]... -- CMD ARGS…`: runs CMD with the keys of the named services (all services
 * with a key when none is named) in `MLAAS_<SERVICE>_API_KEY`, `MLAAS_<SERVICE>_URL` and, where needed,
 * `MLAAS_<SERVICE>_APP_ID`. Keys are fetched fresh on every run and never written anywhere; CMD's exit
 * status becomes mlaas's.
 */
import type { CommandContext } from '../cli/context.js';
import { ExitStatus } from '../cli/exit-status.js';
import { fetchVariables } from '../delivery/fetch-variables.js';
import { runChild } from '../delivery/run-child.js';
import { MlaasError } from '../lib/errors.js';

/** Options of `mlaas run`. */
export interface RunOptions {
  service?: string[];
}

/**
 * Runs a command with the keys in its environment.
 * @param argv the words after `--`; `hadSeparator` whether `--` was given at all.
 * @throws MlaasError USAGE_ERROR without `--` or without a command; any error fetching a key, before CMD starts.
 * @throws ExitStatus always once CMD has run, with its exit status.
 *
 * @example
 * ```ts
 * await runRun(ctx, ['python3', 'train.py'], true, { service: ['sentiment-analysis'] });
 * ```
 */
export async function runRun(
  ctx: CommandContext,
  argv: readonly string[],
  hadSeparator: boolean,
  options: RunOptions,
): Promise<never> {
  if (!hadSeparator || argv.length === 0) {
    throw new MlaasError('USAGE_ERROR', hadSeparator ? 'no command after --' : 'put -- before the command to run', {
      hint: 'mlaas run --service ID -- CMD ARGS…',
    });
  }
  const [command, ...args] = argv as [string, ...string[]];
  const variables = await fetchVariables(await ctx.client(), options.service ?? []);
  const outcome = await runChild(command, args, { ...ctx.io.env, ...variables });
  if (outcome.startError !== undefined) ctx.info(`mlaas run: ${outcome.startError}`);
  throw new ExitStatus(outcome.status);
}
