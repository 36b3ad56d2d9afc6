/**
 * @module commands/whoami
 * `mlaas whoami` (alias `mlaas auth status`): who is signed in on the profile, to which issuer, until when,
 * and where the tokens are kept. Renews an expiring token, but never starts a sign-in.
 */
import { MlaasError } from '../lib/errors.js';
import { localTime } from '../output/local-time.js';
import { decodeJwtClaims } from '../store/token-set.js';
import type { CommandContext } from '../cli/context.js';

/**
 * Shows the signed-in user.
 * @throws MlaasError AUTH_REQUIRED when the profile is not signed in (exit 4).
 *
 * @example
 * ```ts
 * await runWhoami(ctx); // "alice (alice@example.org)"
 * ```
 */
export async function runWhoami(ctx: CommandContext): Promise<void> {
  const settings = ctx.settings();
  const session = (await ctx.client()).session;
  const stored = await session.current();
  if (stored === null) {
    throw new MlaasError('AUTH_REQUIRED', `not signed in to ${settings.issuer} (profile "${settings.profile.value}")`, {
      hint: 'Sign in with `mlaas login`.',
    });
  }
  // Renews the access token if it is about to expire; a dead session is reported, not re-signed-in.
  const accessToken = await withoutSignIn(() => session.accessToken({ signIn: false }));
  const tokens = (await session.current()) ?? stored;
  const claims = { ...decodeJwtClaims(tokens.idToken ?? ''), ...decodeJwtClaims(accessToken) };
  const store = await session.store();
  const info = {
    profile: settings.profile.value,
    issuer: tokens.issuer,
    username: stringOrNull(claims.preferred_username),
    email: stringOrNull(claims.email),
    subject: stringOrNull(claims.sub),
    expires_at: new Date(tokens.expiresAt * 1000).toISOString(),
    token_store: store.kind,
    token_location: store.location,
  };
  if (ctx.json) {
    ctx.printJson(info);
    return;
  }
  const email = info.email ? ` (${info.email})` : '';
  ctx.print(`${info.username ?? info.subject ?? 'unknown user'}${email}`);
  ctx.info(`  issuer:   ${info.issuer}`);
  ctx.info(`  profile:  ${info.profile}`);
  ctx.info(`  expires:  ${localTime(new Date(tokens.expiresAt * 1000))} (renewed automatically)`);
  ctx.info(`  tokens:   ${info.token_store}: ${info.token_location}`);
}

async function withoutSignIn<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MlaasError && error.code === 'AUTH_REQUIRED') {
      throw new MlaasError('AUTH_REQUIRED', 'the session has expired or was ended', {
        hint: 'Sign in again with `mlaas login`.',
        cause: error,
      });
    }
    throw error;
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
