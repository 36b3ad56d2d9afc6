/**
 * @module commands/login
 * `mlaas login [--browser|--device|--password] [--username U] [--password-stdin]`.
 */
import { MlaasError } from '../lib/errors.js';
import { decodeJwtClaims } from '../store/token-set.js';
import type { CommandContext } from '../cli/context.js';
import { defaultMethod, obtainTokens, type LoginMethod } from '../cli/sign-in.js';
import { NON_INTERACTIVE_SIGN_IN_HINT } from '../cli/sign-in-hint.js';

/** Options of `mlaas login`. */
export interface LoginOptions {
  browser?: boolean;
  device?: boolean;
  password?: boolean;
  username?: string;
  passwordStdin?: boolean;
}

/**
 * Signs in and stores the tokens for the profile.
 * @throws MlaasError USAGE_ERROR for conflicting flags, AUTH_REQUIRED when it would have to prompt but may not.
 *
 * @example
 * ```ts
 * await runLogin(ctx, { password: true, username: 'alice', passwordStdin: true });
 * ```
 */
export async function runLogin(ctx: CommandContext, options: LoginOptions): Promise<void> {
  const chosen = (['browser', 'device', 'password'] as const).filter((m) => options[m] === true);
  if (chosen.length > 1) throw new MlaasError('USAGE_ERROR', `choose one of --${chosen.join(', --')}`);
  if (options.passwordStdin && (options.browser || options.device))
    throw new MlaasError('USAGE_ERROR', '--password-stdin goes with --password');
  let method: LoginMethod;
  if (chosen[0] !== undefined) method = chosen[0];
  else if (options.passwordStdin || options.username !== undefined) method = 'password';
  else {
    method = defaultMethod(ctx.io);
    // Without a terminal, only a flow that needs no prompt may start unasked.
    if (method !== 'password' && !ctx.interactive) {
      throw new MlaasError('AUTH_REQUIRED', 'cannot sign in without a terminal unless told how', {
        hint: NON_INTERACTIVE_SIGN_IN_HINT,
      });
    }
  }

  const session = (await ctx.client()).session;
  const tokens = await obtainTokens(ctx.terminal, session, method, {
    username: options.username,
    passwordStdin: options.passwordStdin,
  });
  await session.save(tokens);
  const claims = decodeJwtClaims(tokens.accessToken);
  const user = String(claims.preferred_username ?? claims.sub ?? 'unknown user');
  const profile = ctx.settings().profile.value;
  if (ctx.json) {
    ctx.printJson({
      profile,
      issuer: tokens.issuer,
      username: user,
      expires_at: new Date(tokens.expiresAt * 1000).toISOString(),
    });
  }
  ctx.info(`Signed in as ${user} to ${tokens.issuer} (profile "${profile}").`);
}
