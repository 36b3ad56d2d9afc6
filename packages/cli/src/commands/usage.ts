/**
 * @module commands/usage
 * `mlaas usage [SERVICE] [--period day|week|month]`: for one service, or every service you hold a key for, a
 * bar per day (per hour for `day`) and a bar per plan limit with used / max and its reset. With `--json`, the
 * helper's `data` unchanged for one service, `{ "services": [...] }` for all of them.
 */
import type { UsageData, UsagePeriod } from '@mlaas/contract';
import type { CommandContext } from '../cli/context.js';
import { MlaasError } from '../lib/errors.js';
import { withSpinner } from '../output/spinner.js';

export interface UsageOptions {
  period?: string;
}

const PERIODS: readonly UsagePeriod[] = ['day', 'week', 'month'];

/**
 * @throws MlaasError USAGE_ERROR for an unknown period; KEY_NOT_FOUND for a service without your key.
 * @example await runUsage(ctx, 'sentiment-analysis', { period: 'month' });
 */
export async function runUsage(
  ctx: CommandContext,
  serviceId: string | undefined,
  options: UsageOptions,
): Promise<void> {
  const period = options.period ?? 'week';
  if (!(PERIODS as readonly string[]).includes(period)) {
    throw new MlaasError('USAGE_ERROR', `--period must be day, week or month, not "${period}"`);
  }
  const client = await ctx.client();
  let reports: UsageData[];
  if (serviceId !== undefined && serviceId !== '') {
    reports = [
      await withSpinner(ctx.io.stderr, 'Loading usage…', client.getUsage(serviceId, { period: period as UsagePeriod })),
    ];
  } else {
    reports = await withSpinner(
      ctx.io.stderr,
      'Loading usage…',
      (async () => {
        const { keys } = await client.listKeys();
        const services = [
          ...new Set(keys.filter((k) => k.state === 'active' || k.state === 'grace').map((k) => k.service_id)),
        ];
        return Promise.all(services.map((id) => client.getUsage(id, { period: period as UsagePeriod })));
      })(),
    );
  }
  if (ctx.json) {
    ctx.printJson(serviceId ? reports[0] : { services: reports });
    return;
  }
  if (reports.length === 0) {
    ctx.info('You have no keys yet. Get one with: mlaas services init <ID>');
    return;
  }
  const { renderUsage } = await import('../output/usage-chart.js');
  ctx.io.stdout.write(reports.map((report) => renderUsage(report, ctx.out)).join('\n'));
}
