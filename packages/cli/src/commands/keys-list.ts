/**
 * @module commands/keys-list
 * `mlaas keys list`: your keys on every service with their state and deadlines; the helper's `data` unchanged
 * with `--json`, tab-separated rows when piped.
 */
import type { KeyInfo } from '@mlaas/contract';
import type { CommandContext } from '../cli/context.js';
import { withSpinner } from '../output/spinner.js';
import { warnExpiringKeys } from './keys-expiry-warning.js';

export const KEY_COLUMNS = ['SERVICE', 'KEY', 'STATE', 'CREATED', 'EXPIRES', 'VALID UNTIL'] as const;

/**
 * @example await runKeysList(ctx);
 */
export async function runKeysList(ctx: CommandContext): Promise<void> {
  const client = await ctx.client();
  const data = await withSpinner(ctx.io.stderr, 'Loading keys…', client.listKeys());
  warnExpiringKeys(
    ctx,
    data.keys
      .filter((key) => key.state === 'active')
      .map((key) => ({ service: key.service_id, expiresAt: key.expires_at })),
    { complete: true },
  );
  if (ctx.json) {
    ctx.printJson(data);
    return;
  }
  const { renderTable, renderTsv } = await import('../output/table.js');
  const rows = data.keys.map(keyRow);
  if (ctx.io.stdout.isTTY === true) {
    if (rows.length === 0) {
      ctx.info('You have no keys yet. Get one with: mlaas services init <ID>');
      return;
    }
    ctx.print(
      renderTable(KEY_COLUMNS, rows, {
        styleHeader: ctx.out.bold,
        ...(ctx.io.stdout.columns ? { maxWidth: ctx.io.stdout.columns } : {}),
      }),
    );
  } else {
    ctx.io.stdout.write(renderTsv(rows));
  }
}

export function keyRow(key: KeyInfo): string[] {
  return [
    key.service_id,
    key.key_preview,
    key.state,
    key.created_at ?? '-',
    key.expires_at ?? 'never',
    key.valid_until ?? '-',
  ];
}
