/**
 * @module commands/env
 * `mlaas env [--service ID]... [--format dotenv|shell|json]`: the variables of `mlaas run` on stdout, for
 * direnv (`eval "$(mlaas env --format shell)"`) and CI secret stores. The output holds keys: it is meant for
 * a pipe, not a file in a repository.
 */
import type { CommandContext } from '../cli/context.js';
import { fetchVariables } from '../delivery/fetch-variables.js';
import { parseEnvFormat, renderEnv } from '../delivery/formats.js';

/** Options of `mlaas env`. */
export interface EnvOptions {
  service?: string[];
  format?: string;
}

/**
 * Prints the variables.
 * @throws MlaasError USAGE_ERROR for an unknown format; any error fetching a key.
 *
 * @example
 * ```ts
 * await runEnv(ctx, { format: 'shell', service: ['text-embedding'] });
 * ```
 */
export async function runEnv(ctx: CommandContext, options: EnvOptions): Promise<void> {
  // --json (global) is the same as --format json.
  const format = parseEnvFormat(options.format ?? (ctx.json ? 'json' : 'dotenv'));
  const variables = await fetchVariables(await ctx.client(), options.service ?? []);
  ctx.io.stdout.write(renderEnv(variables, format));
}
