/**
 * @module log/logger
 * The structured JSON logger (pino) and the redaction rules that keep tokens, keys and admin secrets out
 * of every log line.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** The smallest logger surface modules outside the edge depend on. */
export interface LogSink {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Paths censored in any logged object, wherever a secret could appear. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'accessToken',
  'access_token',
  'refresh_token',
  'apiKey',
  'api_key',
  'password',
  'adminApiKey',
  'encryptionKey',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refresh_token',
  '*.apiKey',
  '*.api_key',
  '*.password',
  '*.adminApiKey',
  '*.encryptionKey',
];

/**
 * Creates the process logger.
 * @example const log = createLogger({ level: 'info' });
 */
export function createLogger(options: { level: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { service: 'mlaas-helper' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination,
  );
}
