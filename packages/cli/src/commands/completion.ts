/**
 * @module commands/completion
 * `mlaas completion bash|zsh|fish`: a shell completion script for commands, options, and service ids
 * (asked from `mlaas services list`, without prompting, when completing `services init`).
 */
import { MlaasError } from '../lib/errors.js';
import type { CommandContext } from '../cli/context.js';

/** Shells a script can be printed for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** Global options, with whether they take a value. */
const GLOBAL_OPTIONS: readonly [string, boolean, string][] = [
  ['--profile', true, 'profile of settings and tokens'],
  ['--json', false, 'print JSON'],
  ['--no-input', false, 'never prompt'],
  ['--verbose', false, 'show each HTTP call'],
  ['--ca-file', true, 'extra CA certificate (PEM)'],
  ['--keycloak-url', true, 'Keycloak base URL'],
  ['--keycloak-realm', true, 'Keycloak realm'],
  ['--keycloak-client-id', true, 'OpenID Connect client id'],
  ['--mlaas-helper-url', true, 'helper base URL'],
  ['--allow-insecure-http', false, 'allow plain HTTP to other hosts'],
  ['--help', false, 'show help'],
  ['--version', false, 'show the version'],
];

/** Commands with their subcommands and options. */
const COMMANDS: readonly {
  name: string;
  description: string;
  subcommands?: readonly string[];
  options?: readonly [string, boolean][];
}[] = [
  {
    name: 'login',
    description: 'sign in',
    options: [
      ['--browser', false],
      ['--device', false],
      ['--password', false],
      ['--username', true],
      ['--password-stdin', false],
    ],
  },
  { name: 'logout', description: 'sign out' },
  { name: 'whoami', description: 'show the signed-in user' },
  { name: 'auth', description: 'sign-in status', subcommands: ['status'] },
  {
    name: 'services',
    description: 'list services and get keys',
    subcommands: ['list', 'init'],
    options: [['--name', true]],
  },
  { name: 'list', description: 'list services' },
  { name: 'health', description: 'check the helper' },
  { name: 'config', description: 'show settings', subcommands: ['show'] },
  { name: 'completion', description: 'print a completion script', subcommands: [...SHELLS] },
  { name: 'help', description: 'show help for a command' },
];

const VALUE_OPTIONS = [...GLOBAL_OPTIONS.filter(([, v]) => v).map(([o]) => o), '--username', '--name'];

/**
 * Prints the completion script for a shell.
 * @throws MlaasError USAGE_ERROR for an unknown shell.
 *
 * @example
 * ```ts
 * await runCompletion(ctx, 'bash'); // source <(mlaas completion bash)
 * ```
 */
export async function runCompletion(ctx: CommandContext, shell: string): Promise<void> {
  switch (shell) {
    case 'bash':
      ctx.print(bashScript());
      return;
    case 'zsh':
      ctx.print(zshScript());
      return;
    case 'fish':
      ctx.print(fishScript());
      return;
    default:
      throw new MlaasError('USAGE_ERROR', `unknown shell "${shell}" (choose ${SHELLS.join(', ')})`);
  }
}

function bashScript(): string {
  const globals = GLOBAL_OPTIONS.map(([o]) => o).join(' ');
  const cases = COMMANDS.map((c) => {
    const words = [...(c.subcommands ?? [])].join(' ');
    const options = (c.options ?? []).map(([o]) => o).join(' ');
    return `    ${c.name}) words="${words}"; opts="${options}" ;;`;
  }).join('\n');
  return `# bash completion for mlaas. Load it with:  source <(mlaas completion bash)
_mlaas_completion() {
  local cur prev cmd="" sub="" i w words="" opts=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --ca-file) COMPREPLY=( $(compgen -f -- "$cur") ); return 0 ;;
    ${VALUE_OPTIONS.join('|')}|--init) return 0 ;;
  esac
  for (( i=1; i<COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    case "\${COMP_WORDS[i-1]}" in ${VALUE_OPTIONS.join('|')}|--init) continue ;; esac
    if [[ -z "$cmd" ]]; then cmd="$w"; elif [[ -z "$sub" ]]; then sub="$w"; fi
  done
  case "$cmd" in
    "") words="${COMMANDS.map((c) => c.name).join(' ')}"; opts="--list --init --health --config --logout" ;;
${cases}
  esac
  if [[ -n "$sub" && "$cmd" != services ]]; then words=""; fi
  if [[ "$cmd" == services && -n "$sub" ]]; then
    words=""
    if [[ "$sub" == init && "$cur" != -* ]]; then
      words="$(command "\${COMP_WORDS[0]}" services list --no-input 2>/dev/null | cut -f2)"
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

function zshScript(): string {
  const globals = GLOBAL_OPTIONS.map(
    ([o, takesValue, d]) =>
      `    '${o}${takesValue ? '=' : ''}[${d}]${takesValue ? (o === '--ca-file' ? ':file:_files' : ':value:') : ''}'`,
  ).join(' \\\n');
  const commands = COMMANDS.map((c) => `    '${c.name}:${c.description}'`).join('\n');
  const subs = COMMANDS.filter((c) => c.subcommands || c.options)
    .map((c) => {
      const items = [...(c.subcommands ?? []), ...(c.options ?? []).map(([o]) => o)].join(' ');
      return `      ${c.name}) compadd -- ${items} ;;`;
    })
    .join('\n');
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
      services)
        if [[ $words[2] == init && CURRENT -eq 3 ]]; then
          compadd -- \${(f)"$(command mlaas services list --no-input 2>/dev/null | cut -f2)"}
        elif (( CURRENT == 2 )); then
          compadd -- list init
        fi ;;
${subs
  .split('\n')
  .filter((l) => !l.includes('services)'))
  .join('\n')}
      esac ;;
  esac
}
if [[ "$funcstack[1]" == "_mlaas" ]]; then _mlaas "$@"; else compdef _mlaas mlaas mlaas-cli; fi`;
}

function fishScript(): string {
  const lines = [
    '# fish completion for mlaas. Load it with:  mlaas completion fish | source',
    'complete -c mlaas -f',
    'complete -c mlaas-cli -w mlaas',
  ];
  const names = COMMANDS.map((c) => c.name).join(' ');
  for (const [option, takesValue, description] of GLOBAL_OPTIONS) {
    lines.push(
      `complete -c mlaas -l ${option.slice(2)}${takesValue ? ' -r' : ''}${option === '--ca-file' ? ' -F' : ''} -d '${description}'`,
    );
  }
  for (const c of COMMANDS) {
    lines.push(`complete -c mlaas -n "not __fish_seen_subcommand_from ${names}" -a ${c.name} -d '${c.description}'`);
    for (const sub of c.subcommands ?? []) {
      lines.push(
        `complete -c mlaas -n "__fish_seen_subcommand_from ${c.name}; and not __fish_seen_subcommand_from ${(c.subcommands ?? []).join(' ')}" -a ${sub}`,
      );
    }
    for (const [option, takesValue] of c.options ?? []) {
      lines.push(
        `complete -c mlaas -n "__fish_seen_subcommand_from ${c.name}" -l ${option.slice(2)}${takesValue ? ' -r' : ''}`,
      );
    }
  }
  lines.push(
    `complete -c mlaas -n "__fish_seen_subcommand_from init" -a "(command mlaas services list --no-input 2>/dev/null | cut -f2)"`,
  );
  return lines.join('\n');
}
