/**
 * @module cli/legacy-flags
 * The original CLI's action flags, kept as aliases: `--list`, `--init id=X` / `--init name=Y`, `--health`,
 * `--config` and `--logout` are rewritten into the subcommands they stand for before parsing. The
 * original's connection flags and `--verbose` are ordinary global options.
 */
import { MlaasError } from '../lib/errors.js';

const ACTIONS: Readonly<Record<string, readonly string[]>> = {
  '--list': ['services', 'list'],
  '--health': ['health'],
  '--config': ['config', 'show'],
  '--logout': ['logout'],
};

/**
 * Rewrites original-style arguments into subcommand form; other arguments are returned unchanged.
 * @throws MlaasError USAGE_ERROR for two actions at once, or `--init` without a value.
 *
 * @example
 * ```ts
 * translateLegacyFlags(['--init', 'name=Text Embedding', '--verbose']);
 * // ['services', 'init', '--name', 'Text Embedding', '--verbose']
 * ```
 */
export function translateLegacyFlags(argv: readonly string[]): string[] {
  const rest: string[] = [];
  const actions: { flag: string; words: string[] }[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const action = ACTIONS[arg];
    if (action !== undefined) {
      actions.push({ flag: arg, words: [...action] });
      continue;
    }
    if (arg === '--init' || arg.startsWith('--init=')) {
      const value = arg === '--init' ? argv[(i += 1)] : arg.slice('--init='.length);
      if (value === undefined || value === '' || value.startsWith('--')) {
        throw new MlaasError('USAGE_ERROR', '--init needs a service: --init id=ID or --init name="NAME"');
      }
      actions.push({ flag: '--init', words: initWords(value) });
      continue;
    }
    rest.push(arg);
  }
  if (actions.length === 0) return [...argv];
  if (actions.length > 1) {
    throw new MlaasError(
      'USAGE_ERROR',
      `${actions.map((a) => a.flag).join(' and ')} cannot be combined; give one action`,
    );
  }
  return [...(actions[0] as { words: string[] }).words, ...rest];
}

function initWords(value: string): string[] {
  if (value.startsWith('id=')) return ['services', 'init', value.slice(3)];
  if (value.startsWith('name=')) return ['services', 'init', '--name', value.slice(5)];
  // The original required id= or name=; a bare value is taken as an id.
  return ['services', 'init', value];
}
