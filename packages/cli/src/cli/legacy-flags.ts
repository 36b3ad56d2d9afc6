/**
 * @module cli/legacy-flags
 * The original CLI's action flags, kept as aliases: `--list`, `--init id=X` / `--init name=Y`, `--health`,
 * `--config` and `--logout` are rewritten into the subcommands they stand for before parsing. The
 * original's connection flags and `--verbose` are ordinary global options.
 */
import { MlaasError } from '../lib/errors.js';
import { COMMANDS } from './command-table.js';
import type { CommandSpec } from './command-spec.js';

/** An original flag: the command words it stands for, and whether it names a service (`--init id=X`). */
interface Action {
  words: string[];
  takesService: boolean;
}

/** Each original flag and the command words it stands for, read from the command table. */
function legacyActions(specs: readonly CommandSpec[], path: readonly string[] = []): Map<string, Action> {
  const actions = new Map<string, Action>();
  for (const spec of specs) {
    const words = [...path, spec.name];
    if (spec.legacyFlag !== undefined)
      actions.set(spec.legacyFlag, { words, takesService: spec.argument !== undefined });
    for (const [flag, sub] of legacyActions(spec.subcommands ?? [], words)) actions.set(flag, sub);
  }
  return actions;
}

const ACTIONS = legacyActions(COMMANDS);

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
    const flag = arg.split('=', 1)[0] as string;
    const action = ACTIONS.get(flag);
    if (action?.takesService === true) {
      const value = arg === flag ? argv[(i += 1)] : arg.slice(flag.length + 1);
      if (value === undefined || value === '' || value.startsWith('--')) {
        throw new MlaasError('USAGE_ERROR', `${flag} needs a service: ${flag} id=ID or ${flag} name="NAME"`);
      }
      actions.push({ flag, words: [...action.words, ...serviceWords(value)] });
      continue;
    }
    if (action !== undefined && arg === flag) {
      actions.push({ flag: arg, words: [...action.words] });
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

function serviceWords(value: string): string[] {
  if (value.startsWith('id=')) return [value.slice(3)];
  if (value.startsWith('name=')) return ['--name', value.slice(5)];
  // The original required id= or name=; a bare value is taken as an id.
  return [value];
}
