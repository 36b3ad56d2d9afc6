/**
 * @module commands/completion
 * `mlaas completion bash|zsh|fish`: a shell completion script for commands, options, and service ids
 * (asked from `mlaas services list`, without prompting, when completing `services init`).
 */
import { MlaasError } from '../lib/errors.js';
import type { CommandContext } from '../cli/context.js';
import { longName, takesValue, type CommandSpec, type OptionSpec } from '../cli/command-spec.js';

/** The command tree a script is generated from. */
export interface CompletionTree {
  globals: readonly OptionSpec[];
  commands: readonly CommandSpec[];
}

/** A top-level command as the scripts need it. */
interface Entry {
  name: string;
  description: string;
  /** Words after the command: its subcommands, or the values of its argument. */
  words: string[];
  /** Options of the command and of its subcommands. */
  options: OptionSpec[];
}

const HELP_OPTIONS: OptionSpec[] = [
  { flags: '--help', description: 'show help' },
  { flags: '--version', description: 'show the version' },
];

/**
 * Prints the completion script for a shell, generated from the command tree.
 * @throws MlaasError USAGE_ERROR for an unknown shell.
 *
 * @example
 * ```ts
 * await runCompletion(ctx, 'bash', { globals: GLOBAL_OPTIONS, commands: COMMANDS }); // source <(mlaas completion bash)
 * ```
 */
export async function runCompletion(ctx: CommandContext, shell: string, tree: CompletionTree): Promise<void> {
  const shells = tree.commands.find((c) => c.name === 'completion')?.argument?.choices ?? [];
  const model = toModel(tree);
  switch (shell) {
    case 'bash':
      ctx.print(bashScript(model));
      return;
    case 'zsh':
      ctx.print(zshScript(model));
      return;
    case 'fish':
      ctx.print(fishScript(model));
      return;
    default:
      throw new MlaasError('USAGE_ERROR', `unknown shell "${shell}" (choose ${shells.join(', ')})`);
  }
}

interface Model {
  globals: OptionSpec[];
  entries: Entry[];
  /** Options that take a value (the next word is not a command). */
  valueOptions: string[];
  /** The original CLI's flags, offered at the top level. */
  legacyFlags: string[];
  /** Original flags that take a value. */
  legacyValueFlags: string[];
  /** The command and subcommand whose argument is a service id, completed from `mlaas services list`. */
  serviceIds: [string, string];
}

function serviceIdPath(commands: readonly CommandSpec[]): [string, string] {
  for (const c of commands) {
    const sub = c.subcommands?.find((s) => s.argument?.serviceIds === true);
    if (sub !== undefined) return [c.name, sub.name];
  }
  return ['', ''];
}

function toModel(tree: CompletionTree): Model {
  const all = (specs: readonly CommandSpec[]): CommandSpec[] => specs.flatMap((c) => [c, ...all(c.subcommands ?? [])]);
  const everyCommand = all(tree.commands);
  const entries: Entry[] = tree.commands.map((c) => ({
    name: c.name,
    description: c.summary,
    words: c.subcommands?.map((sub) => sub.name) ?? [...(c.argument?.choices ?? [])],
    options: all([c]).flatMap((spec) => [...(spec.options ?? [])]),
  }));
  entries.push({ name: 'help', description: 'show help for a command', words: [], options: [] });
  const globals = [...tree.globals, ...HELP_OPTIONS];
  const legacy = everyCommand.filter((c) => c.legacyFlag !== undefined);
  return {
    globals,
    entries,
    valueOptions: [...globals, ...everyCommand.flatMap((c) => [...(c.options ?? [])])].filter(takesValue).map(longName),
    legacyFlags: legacy.map((c) => c.legacyFlag as string),
    legacyValueFlags: legacy.filter((c) => c.argument !== undefined).map((c) => c.legacyFlag as string),
    serviceIds: serviceIdPath(tree.commands),
  };
}

function bashScript(m: Model): string {
  const globals = m.globals.map(longName).join(' ');
  const values = [...m.valueOptions, ...m.legacyValueFlags].join('|');
  const files = m.globals.filter((o) => o.file === true).map(longName);
  const [idCommand, idSub] = m.serviceIds;
  const cases = m.entries
    .map((e) => `    ${e.name}) words="${e.words.join(' ')}"; opts="${e.options.map(longName).join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for mlaas. Load it with:  source <(mlaas completion bash)
_mlaas_completion() {
  local cur prev cmd="" sub="" i w words="" opts=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    ${files.join('|')}) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    ${values}) return 0 ;;
  esac
  for (( i=1; i<COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    case "\${COMP_WORDS[i-1]}" in ${values}) continue ;; esac
    if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; fi
  done
  case "$cmd" in
    "") words="${m.entries.map((e) => e.name).join(' ')}"; opts="${m.legacyFlags.join(' ')}" ;;
${cases}
  esac
  if [[ -n "$sub" && "$cmd" != ${idCommand} ]]; then words=""; fi
  if [[ "$cmd" == ${idCommand} && -n "$sub" ]]; then
    words=""
    if [[ "$sub" == ${idSub} && "$cur" != -* ]]; then
      words="$(command "\${COMP_WORDS[0]}" ${idCommand} list --no-input 2>/dev/null | cut -f2)"
    fi
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts ${globals}" -- "$cur") )
  else
    COMPREPLY=( $(compgen -W "$words" -- "$cur") )
  fi
  return 0
}
complete -F _mlaas_completion mlaas mlaas-cli`;
}

function zshScript(m: Model): string {
  const globals = m.globals
    .map((o) => {
      const value = takesValue(o);
      const action = value ? (o.file === true ? ':file:_files' : ':value:') : '';
      return `    '${longName(o)}${value ? '=' : ''}[${o.description.replace(/[[\]']/g, '')}]${action}'`;
    })
    .join(' \\\n');
  const [idCommand, idSub] = m.serviceIds;
  const commands = m.entries.map((e) => `    '${e.name}:${e.description}'`).join('\n');
  const subs = m.entries
    .filter((e) => e.name !== idCommand && (e.words.length > 0 || e.options.length > 0))
    .map((e) => `      ${e.name}) compadd -- ${[...e.words, ...e.options.map(longName)].join(' ')} ;;`)
    .join('\n');
  const idWords = m.entries.find((e) => e.name === idCommand)?.words ?? [];
  return `#compdef mlaas mlaas-cli
# zsh completion for mlaas. Load it with:  source <(mlaas completion zsh)
# (or save it as _mlaas in a directory of $fpath)
_mlaas() {
  local -a commands
  commands=(
${commands}
  )
  _arguments -s \\
${globals} \\
    '1: :->command' \\
    '*:: :->args'
  case $state in
    command) _describe 'command' commands ;;
    args)
      case $words[1] in
      ${idCommand})
        if [[ $words[2] == ${idSub} && CURRENT -eq 3 ]]; then
          compadd -- \${(f)"$(command mlaas ${idCommand} list --no-input 2>/dev/null | cut -f2)"}
        elif (( CURRENT == 2 )); then
          compadd -- ${idWords.join(' ')}
        fi ;;
${subs}
      esac ;;
  esac
}
if [[ "$funcstack[1]" == "_mlaas" ]]; then _mlaas "$@"; else compdef _mlaas mlaas mlaas-cli; fi`;
}

function fishScript(m: Model): string {
  const lines = [
    '# fish completion for mlaas. Load it with:  mlaas completion fish | source',
    'complete -c mlaas -f',
    'complete -c mlaas-cli -w mlaas',
  ];
  const names = m.entries.map((e) => e.name).join(' ');
  const quote = (text: string) => `'${text.replace(/'/g, '')}'`;
  for (const option of m.globals) {
    lines.push(
      `complete -c mlaas -l ${longName(option).slice(2)}${takesValue(option) ? ' -r' : ''}${option.file === true ? ' -F' : ''} -d ${quote(option.description)}`,
    );
  }
  for (const e of m.entries) {
    lines.push(
      `complete -c mlaas -n "not __fish_seen_subcommand_from ${names}" -a ${e.name} -d ${quote(e.description)}`,
    );
    for (const word of e.words) {
      lines.push(
        `complete -c mlaas -n "__fish_seen_subcommand_from ${e.name}; and not __fish_seen_subcommand_from ${e.words.join(' ')}" -a ${word}`,
      );
    }
    for (const option of e.options) {
      lines.push(
        `complete -c mlaas -n "__fish_seen_subcommand_from ${e.name}" -l ${longName(option).slice(2)}${takesValue(option) ? ' -r' : ''}`,
      );
    }
  }
  const [idCommand, idSub] = m.serviceIds;
  lines.push(
    `complete -c mlaas -n "__fish_seen_subcommand_from ${idSub}" -a "(command mlaas ${idCommand} list --no-input 2>/dev/null | cut -f2)"`,
  );
  return lines.join('\n');
}
