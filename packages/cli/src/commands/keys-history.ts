/**
 * @module commands/keys-history
 * `mlaas keys history [--limit N]`: your key events, newest first.
 */
import type { CommandContext } from '../cli/context.js';
import { withSpinner } from '../output/spinner.js';
import { MlaasError } from '../lib/errors.js';

export const HISTORY_COLUMNS = ['TIME', 'EVENT', 'OUTCOME', 'SERVICE', 'KEY', 'FROM', 'CLIENT', 'DETAIL'] as const;

/**
 * @example await runKeysHistory(ctx, { limit: '20' });
 */
export async function runKeysHistory(ctx: CommandContext, options: { limit?: string }): Promise<void> {
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1 || limit > 500)) {
    throw new MlaasError('USAGE_ERROR', '--limit must be a whole number from 1 to 500');
  }
  const client = await ctx.client();
  const data = await withSpinner(
    ctx.io.stderr,
    'Loading history…',
    client.keyHistory(limit === undefined ? {} : { limit }),
  );
  if (ctx.json) {
    ctx.printJson(data);
    return;
  }
  const { renderTable, renderTsv } = await import('../output/table.js');
  const rows = data.events.map((e) => [
    e.at,
    e.event,
    e.outcome,
    e.service_id,
    e.key_preview ?? '-',
    e.client_address ?? '-',
    e.client ?? '-',
    e.detail ?? '',
  ]);
  if (ctx.io.stdout.isTTY === true) {
    if (rows.length === 0) {
      ctx.info('No key events yet.');
      return;
    }
    ctx.print(
      renderTable(HISTORY_COLUMNS, rows, {
        styleHeader: ctx.out.bold,
        ...(ctx.io.stdout.columns ? { maxWidth: ctx.io.stdout.columns } : {}),
      }),
    );
  } else {
    ctx.io.stdout.write(renderTsv(rows));
  }
}
