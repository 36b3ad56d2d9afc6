/**
 * @module commands/keys-rotate
 * `mlaas keys rotate SERVICE [--grace 24h]`: a new key at once; the old one keeps working for the grace period.
 */
import type { CommandContext } from '../cli/context.js';
import { withSpinner } from '../output/spinner.js';
import { parseDuration } from './keys-duration.js';
import { warnExpiringKeys } from './keys-expiry-warning.js';

export interface RotateOptions {
  grace?: string;
}

/**
 * @example await runKeysRotate(ctx, 'sentiment-analysis', { grace: '1h' });
 */
export async function runKeysRotate(ctx: CommandContext, service: string, options: RotateOptions): Promise<void> {
  const graceSeconds = options.grace === undefined ? undefined : parseDuration(options.grace);
  const client = await ctx.client();
  const data = await withSpinner(
    ctx.io.stderr,
    'Rotating the key…',
    client.rotateKey(service, graceSeconds === undefined ? {} : { graceSeconds }),
  );
  warnExpiringKeys(ctx, [{ service: data.service_id, expiresAt: data.expires_at }]);
  if (ctx.json) {
    ctx.printJson(data);
    return;
  }
  ctx.info(
    data.rotated
      ? `New key for ${data.service_id}. The old key ${data.previous.key_preview} works until ${data.previous.valid_until}.`
      : `The key had just been rotated by another request; this is the new key.`,
  );
  ctx.print(
    [
      ...(data.app_id !== null ? [`app id:    ${data.app_id}`] : []),
      `api key:   ${data.api_key}`,
      `expires:   ${data.expires_at ?? 'never'}`,
    ].join('\n'),
  );
}
