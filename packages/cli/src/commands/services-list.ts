/**
 * @module commands/services-list
 * `mlaas services list` (alias `mlaas list`, original flag `--list`): a table on a terminal, tab-separated
 * rows when piped, the helper's `data` unchanged with `--json`.
 */
import type { Service } from '@mlaas/contract';
import type { CommandContext } from '../cli/context.js';
import { withSpinner } from '../output/spinner.js';
import { renderTable, renderTsv } from '../output/table.js';
import { warnExpiringKeys } from './keys-expiry-warning.js';

/** Column headers of the table; the TSV rows have the same columns, without the header. */
export const SERVICE_COLUMNS = ['NAME', 'ID', 'ENDPOINT', 'AUTH', 'KEY'] as const;

/**
 * Lists the services the user can get keys for.
 *
 * @example
 * ```ts
 * await runServicesList(ctx);
 * ```
 */
export async function runServicesList(ctx: CommandContext, options: { all?: boolean } = {}): Promise<void> {
  const client = await ctx.client();
  const all = options.all === true;
  const data = await withSpinner(ctx.io.stderr, 'Loading services…', client.listServices(all ? { all } : {}));
  warnExpiringKeys(
    ctx,
    data.services.map((service) => ({ service: service.id, expiresAt: service.api_key_expires_at })),
    { complete: true },
  );
  if (ctx.json) {
    ctx.printJson(data);
    return;
  }
  const rows = data.services.map(serviceRow);
  if (ctx.io.stdout.isTTY === true) {
    if (rows.length === 0) {
      ctx.info('No ML services are available to you.');
      return;
    }
    ctx.print(
      renderTable(SERVICE_COLUMNS, rows, {
        styleHeader: ctx.out.bold,
        // The id is what `services init` needs: name and endpoint are shortened, never the id.
        keepWhole: [SERVICE_COLUMNS.indexOf('ID')],
        ...(ctx.io.stdout.columns ? { maxWidth: ctx.io.stdout.columns } : {}),
      }),
    );
    ctx.info(`Get a key by typing its ID in full: mlaas services init <ID>`);
  } else {
    ctx.io.stdout.write(renderTsv(rows));
  }
}

/** One row: name, id, endpoint, authentication (with where the key goes), key status. */
export function serviceRow(service: Service): string[] {
  return [
    service.name,
    service.id,
    service.proxy_endpoint ?? '-',
    describeAuth(service),
    service.entitled === false
      ? `not entitled${(service.granted_by ?? []).length > 0 ? ` (needs ${(service.granted_by ?? []).join(' or ')})` : ''}`
      : service.has_api_key
        ? `yes ${service.api_key_preview ?? ''}`.trim()
        : 'no',
  ];
}

function describeAuth(service: Pick<Service, 'authentication_method' | 'credentials'>): string {
  const { location, key_parameter } = service.credentials;
  if (service.authentication_method === 'oidc') return 'oidc';
  const where = location === 'basic' ? 'basic' : `${location}${key_parameter ? ` ${key_parameter}` : ''}`;
  return `${service.authentication_method} (${where})`;
}
