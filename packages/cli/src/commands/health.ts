/**
 * @module commands/health
 * `mlaas health` (original flag `--health`): whether the helper answers. Needs no sign-in.
 */
import type { CommandContext } from '../cli/context.js';

/**
 * Checks the helper's liveness.
 *
 * @example
 * ```ts
 * await runHealth(ctx); // "healthy: http://127.0.0.1:5000"
 * ```
 */
export async function runHealth(ctx: CommandContext): Promise<void> {
  const data = await (await ctx.client()).health();
  if (ctx.json) ctx.printJson(data);
  else ctx.print(`${data.status}: ${ctx.settings().helperUrl.value}`);
}
