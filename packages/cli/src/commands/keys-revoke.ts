/**
 * @module commands/keys-revoke
 * `mlaas keys revoke SERVICE [--yes]`: stops every key you hold on a service at once, after a confirmation
 * unless `--yes` or `--no-input` is given.
 */
import type { CommandContext } from '../cli/context.js';
import { promptLine } from '../cli/prompt.js';
import { withSpinner } from '../output/spinner.js';
import { MlaasError } from '../lib/errors.js';
import { warnExpiringKeys } from './keys-expiry-warning.js';

export interface RevokeOptions {
  yes?: boolean;
}

/**
 * @example await runKeysRevoke(ctx, 'sentiment-analysis', { yes: true });
 * @throws MlaasError CANCELLED when the confirmation is declined.
 */
export async function runKeysRevoke(ctx: CommandContext, service: string, options: RevokeOptions): Promise<void> {
  if (options.yes !== true && ctx.options.input !== false) {
    if (!ctx.interactive) {
      throw new MlaasError('USAGE_ERROR', 'revoking needs a confirmation: add --yes (or --no-input) to skip it');
    }
    const answer = await promptLine(
      ctx.io.stdin,
      ctx.io.stderr,
      `Revoke your key(s) for ${service}? Programs using them stop working at once. [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim())) throw new MlaasError('CANCELLED', 'nothing revoked');
  }
  const client = await ctx.client();
  const data = await withSpinner(ctx.io.stderr, 'Revoking…', client.revokeKey(service));
  // The revoked keys expire no more: forget their dates.
  warnExpiringKeys(ctx, [{ service: data.service_id, expiresAt: null }]);
  if (ctx.json) {
    ctx.printJson(data);
    return;
  }
  ctx.print(
    `Revoked ${data.revoked.length} key${data.revoked.length === 1 ? '' : 's'} for ${data.service_id}: ` +
      `${data.revoked.map((key) => key.key_preview).join(', ')}. Get a new one with: mlaas services init ${data.service_id}`,
  );
}
