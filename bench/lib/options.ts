/**
 * @module bench/lib/options
 * The command-line flags every benchmark shares — load (`--duration`, `--warmup`, `--connections`), the helper
 * under test (`--helper-env`, `--helper-node-arg`, `--helper-bin`) and `--check` — their validation, and how
 * a report names a helper that is not the default one. `npm run bench -- --duration 5` thus means the same
 * to every benchmark.
 */
import { resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { HELPER_BIN } from './helper-build.js';

/**
 * The `parseArgs` options of the shared flags; a benchmark spreads them next to its own.
 * @example parseArgs({ args: argv, options: { ...SHARED_ARG_OPTIONS, rounds: { type: 'string' } }, strict: true });
 */
export const SHARED_ARG_OPTIONS = {
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string' },
  'helper-env': { type: 'string', multiple: true },
  'helper-node-arg': { type: 'string', multiple: true },
  'helper-bin': { type: 'string' },
  check: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** How the load is applied: the flags `--duration`, `--warmup` and `--connections`. */
export interface LoadOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
}

/**
 * Defaults of the per-round benchmarks (`list-services`, `threescale-list`): 10 s rounds after a 3 s warm-up
 * at 50 connections. `mixed-load` has its own, longer ones.
 */
export const DEFAULT_LOAD_OPTIONS: Readonly<LoadOptions> = { durationSeconds: 10, warmupSeconds: 3, connections: 50 };

/** How the helper under test is started: the flags `--helper-env`, `--helper-node-arg` and `--helper-bin`. */
export interface HelperOptions {
  /** Extra environment of the helper (e.g. TOKEN_CACHE_SIZE=0), after the benchmark's own. */
  helperEnv: Record<string, string>;
  /** Extra node flags of the helper (e.g. --cpu-prof). */
  helperNodeArgs: string[];
  /** The helper's entry point, absolute; another build can be measured against the same setup. */
  helperBin: string;
}

/**
 * `--duration`, `--warmup` and `--connections`, each falling back to the benchmark's default; throws
 * TypeError on a bad value.
 * @example readLoadOptions(values, { durationSeconds: 10, warmupSeconds: 3, connections: 50 })
 */
export function readLoadOptions(
  values: { duration?: string; warmup?: string; connections?: string },
  defaults: LoadOptions,
): LoadOptions {
  return {
    durationSeconds: wholeNumber('--duration', values.duration, defaults.durationSeconds, 1),
    warmupSeconds: wholeNumber('--warmup', values.warmup, defaults.warmupSeconds, 0),
    connections: wholeNumber('--connections', values.connections, defaults.connections, 1),
  };
}

/**
 * `--helper-env NAME=VALUE` (repeatable), `--helper-node-arg=FLAG` (repeatable) and `--helper-bin PATH`
 * (resolved against the working directory, since the helper runs in a temporary one); throws TypeError on a
 * `--helper-env` without a name.
 * @example readHelperOptions({ 'helper-env': ['TOKEN_CACHE_SIZE=0'] }) // { helperEnv: { TOKEN_CACHE_SIZE: '0' }, helperNodeArgs: [], helperBin: HELPER_BIN }
 */
export function readHelperOptions(values: {
  'helper-env'?: string[];
  'helper-node-arg'?: string[];
  'helper-bin'?: string;
}): HelperOptions {
  const helperEnv: Record<string, string> = {};
  for (const pair of values['helper-env'] ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new TypeError(`--helper-env expects NAME=VALUE (got "${pair}")`);
    helperEnv[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return {
    helperEnv,
    helperNodeArgs: values['helper-node-arg'] ?? [],
    helperBin: values['helper-bin'] === undefined ? HELPER_BIN : resolve(values['helper-bin']),
  };
}

/**
 * The flag's value as a whole number within [min, max], or `fallback` when the flag is absent; throws
 * TypeError otherwise.
 * @example wholeNumber('--init-percent', '15', 10, 0, 100) // 15
 */
export function wholeNumber(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max?: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
    const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new TypeError(`${name} must be a whole number ${range} (got "${raw}")`);
  }
  return value;
}

/**
 * What a report says about a helper that is not started as by default: its extra environment, node flags and
 * entry point; empty for the default helper.
 * @example describeHelperOptions(settings) // ['helper env {"TOKEN_CACHE_SIZE":"0"}']
 */
export function describeHelperOptions(options: HelperOptions): string[] {
  return [
    Object.keys(options.helperEnv).length > 0 ? `helper env ${JSON.stringify(options.helperEnv)}` : '',
    options.helperNodeArgs.length > 0 ? `helper node flags ${options.helperNodeArgs.join(' ')}` : '',
    options.helperBin !== HELPER_BIN ? `helper ${options.helperBin}` : '',
  ].filter((e) => e !== '');
}
