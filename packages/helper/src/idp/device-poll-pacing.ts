/**
 * @module idp/device-poll-pacing
 * RFC 8628 §3.4–3.5 pacing for the device flow, which oidc-provider 8 does not enforce: the device
 * authorization response announces the polling `interval`, and a device polling faster than that while
 * the request is still pending gets `slow_down` instead of `authorization_pending`.
 */
import type { Middleware } from 'koa';
import { LRUCache } from 'lru-cache';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface OidcContextLike {
  route?: string;
  params?: Record<string, unknown>;
}

/**
 * Creates the Koa middleware (install with `provider.use`).
 * @example provider.use(createDevicePollPacing({ intervalSeconds: 5 }));
 */
export function createDevicePollPacing(options: { intervalSeconds: number; now?: () => number }): Middleware {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalSeconds * 1000;
  const lastPoll = new LRUCache<string, number>({ max: 50_000, ttl: 30 * 60 * 1000 });

  return async function paceDevicePolling(ctx, next) {
    await next();
    const oidc = (ctx as unknown as { oidc?: OidcContextLike }).oidc;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (oidc === undefined || body === undefined || body === null || typeof body !== 'object') return;

    if (oidc.route === 'device_authorization' && ctx.status === 200) {
      body.interval = options.intervalSeconds;
      return;
    }
    const code = oidc.params?.device_code;
    if (oidc.route !== 'token' || oidc.params?.grant_type !== DEVICE_CODE_GRANT || typeof code !== 'string') return;
    const at = now();
    const previous = lastPoll.get(code);
    lastPoll.set(code, at);
    if (body.error === 'authorization_pending' && previous !== undefined && at - previous < intervalMs) {
      ctx.body = {
        error: 'slow_down',
        error_description: `polling too quickly; wait at least ${options.intervalSeconds + 5} seconds between requests`,
      };
    }
  };
}
