/**
 * @module state/redis-connection
 * The Redis client shared by the rate limiter and the locks, configured to fail fast: while Redis is down,
 * commands fail at once (no offline queue) and the client keeps reconnecting in the background, so the
 * helper recovers by itself when Redis is back.
 */
import { Redis } from 'ioredis';
import { HelperError } from '../errors/helper-error.js';
import type { LogSink } from '../log/logger.js';

/** Connection attempt timeout. */
const CONNECT_TIMEOUT_MS = 2_000;
/** Reconnect backoff ceiling. */
const MAX_RECONNECT_DELAY_MS = 2_000;
/** Connection errors are logged at most this often. */
const ERROR_LOG_INTERVAL_MS = 30_000;

/**
 * Connects to Redis. The URL (which may hold a password) is never logged.
 * @example const redis = connectRedis('redis://127.0.0.1:6379/0', log);
 */
export function connectRedis(url: string, log: LogSink): Redis {
  const redis = new Redis(url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
  });
  let lastLogged = 0;
  redis.on('error', (error: Error & { code?: string }) => {
    if (Date.now() - lastLogged < ERROR_LOG_INTERVAL_MS) return;
    lastLogged = Date.now();
    log.warn(
      { code: error.code ?? 'error' },
      'shared state (Redis) is unreachable; inits are refused until it is back',
    );
  });
  redis.on('ready', () => {
    if (lastLogged !== 0) log.info({}, 'shared state (Redis) is reachable again');
    lastLogged = 0;
  });
  return redis;
}

/** Resolves when Redis answers PING. */
export async function pingRedis(redis: Redis): Promise<void> {
  try {
    await redis.ping();
  } catch (error) {
    throw new HelperError('UPSTREAM_UNAVAILABLE', 'Redis does not answer', { cause: error });
  }
}
