/**
 * @module commands/logout
 * `mlaas logout` (original flag `--logout`): removes the profile's tokens and ends the session at the issuer.
 */
import { endSession } from '../auth/end-session.js';
import type { CommandContext } from '../cli/context.js';

/**
 * Signs out of the profile. Local tokens are removed even when the issuer cannot be reached.
 *
 * @example
 * ```ts
 * await runLogout(ctx);
 * ```
 */
export async function runLogout(ctx: CommandContext): Promise<void> {
  const client = await ctx.client();
  const profile = ctx.settings().profile.value;
  const tokens = await client.session.forget();
  if (tokens === null) {
    if (ctx.json) ctx.printJson({ profile, signed_out: false });
    ctx.info(`Not signed in (profile "${profile}").`);
    return;
  }
  let ended = 'not-offered';
  try {
    const oidc = await client.session.oidc();
    ended = await endSession(oidc, tokens, client.transport);
  } catch (error) {
    ctx.warn(`the session could not be ended at the issuer: ${(error as Error).message}`);
    ended = 'failed';
  }
  if (ctx.json) ctx.printJson({ profile, signed_out: true, issuer_session: ended });
  const detail = ended === 'revoked' || ended === 'logged-out' ? '; the session was ended at the issuer' : '';
  ctx.info(`Signed out of profile "${profile}"${detail}.`);
}
