/**
 * @module log/lazy-child-logger
 * Per-request loggers created on first use. Fastify makes a child logger for every request; with redaction
 * configured, building one is a measurable share of a cached list request, and most requests log nothing of
 * their own (the per-request line is written by the root logger). This stands in for the child and builds it
 * only when something is logged.
 */
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Record<string, unknown>;

class LazyChildLogger {
  #child: FastifyBaseLogger | undefined;
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #options: object;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: object) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  get #real(): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options);
    return this.#child;
  }

  get level(): string {
    return this.#child?.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#real.level = level;
  }

  isLevelEnabled(level: string): boolean {
    return ((this.#child ?? this.#parent) as unknown as { isLevelEnabled(level: string): boolean }).isLevelEnabled(
      level,
    );
  }

  fatal(...args: unknown[]): void {
    (this.#real.fatal as (...a: unknown[]) => void)(...args);
  }

  error(...args: unknown[]): void {
    (this.#real.error as (...a: unknown[]) => void)(...args);
  }

  warn(...args: unknown[]): void {
    (this.#real.warn as (...a: unknown[]) => void)(...args);
  }

  info(...args: unknown[]): void {
    (this.#real.info as (...a: unknown[]) => void)(...args);
  }

  debug(...args: unknown[]): void {
    (this.#real.debug as (...a: unknown[]) => void)(...args);
  }

  trace(...args: unknown[]): void {
    (this.#real.trace as (...a: unknown[]) => void)(...args);
  }

  silent(): void {}

  child(bindings: Bindings, options?: object): FastifyBaseLogger {
    return this.#real.child(bindings, options);
  }
}

/**
 * Fastify `childLoggerFactory` that defers building each request's child logger until it is used.
 * @example Fastify({ childLoggerFactory: lazyChildLogger })
 */
export function lazyChildLogger(parent: FastifyBaseLogger, bindings: Bindings, options: object): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
