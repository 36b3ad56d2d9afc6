/**
 * @module cli/program
 * The commander parser, built from the command table. A command's code is loaded only when it runs (see
 * `command-table.ts`).
 */
import type { Command } from 'commander';
import { commander } from './_commander.js';
import { CLI_VERSION } from '../version.js';
import { COMMANDS, GLOBAL_OPTIONS } from './command-table.js';
import type { CommandSpec, OptionSpec } from './command-spec.js';
import { CommandContext, type GlobalOptions } from './context.js';
import { EXIT_MEANINGS } from './exit-codes.js';
import type { Io } from './io.js';

const legacyFlags = (specs: readonly CommandSpec[]): string[] =>
  specs.flatMap((c) => [
    ...(c.legacyFlag === undefined
      ? []
      : [c.argument ? `${c.legacyFlag} id=ID, ${c.legacyFlag} name="NAME"` : c.legacyFlag]),
    ...legacyFlags(c.subcommands ?? []),
  ]);

const EXAMPLES = `
Examples:
  mlaas login                          sign in (browser, or a device code without a display)
  mlaas services list                  the ML services, their endpoints and your keys
  mlaas services init sentiment-analysis
  mlaas services init --name "Sentiment Analysis"
  mlaas services list --json | jq '.services[].id'

Original flags still work: ${legacyFlags(COMMANDS).join(', ')}.

Exit codes: ${EXIT_MEANINGS.map(([code, meaning]) => `${code} ${meaning}`).join(', ')}.
Environment: MLAAS_PROFILE, MLAAS_KEYCLOAK_URL, MLAAS_KEYCLOAK_REALM, MLAAS_KEYCLOAK_CLIENT_ID,
  MLAAS_HELPER_URL, MLAAS_CA_FILE, MLAAS_CONFIG_DIR, MLAAS_USERNAME + MLAAS_PASSWORD, MLAAS_TOKEN_STORE,
  MLAAS_ALLOW_INSECURE_HTTP, MLAAS_VERBOSE.
Times are shown in your local time zone.`;

/** What a run knows before parsing. */
export interface ProgramOptions {
  /** `MLAAS_VERBOSE=1`, read once by `main`. */
  verboseFromEnv: boolean;
}

/**
 * Builds a fresh command tree bound to some streams.
 *
 * @example
 * ```ts
 * await buildProgram(processIo(), { verboseFromEnv: false }).parseAsync(['services', 'list'], { from: 'user' });
 * ```
 */
export function buildProgram(io: Io, runOptions: ProgramOptions): Command {
  const { Command } = commander;
  const program = new Command('mlaas')
    .description('Self-service API keys for MLaaS machine-learning services')
    .version(CLI_VERSION, '-V, --version', 'print the version');
  addOptions(program, GLOBAL_OPTIONS);
  program
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Errors are printed by main, in the CLI's one-line format.
      outputError: () => undefined,
    });
  for (const spec of COMMANDS) addCommand(program, spec, io, runOptions);
  return program;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function addOptions(command: Command, options: readonly OptionSpec[]): void {
  for (const option of options) {
    if (option.repeatable === true) command.option(option.flags, option.description, collect);
    else if (option.defaultValue !== undefined) command.option(option.flags, option.description, option.defaultValue);
    else command.option(option.flags, option.description);
  }
}

function addCommand(parent: Command, spec: CommandSpec, io: Io, runOptions: ProgramOptions): void {
  const command = parent.command(spec.name).description(spec.description);
  if (spec.usage !== undefined) command.usage(spec.usage);
  if (spec.argument !== undefined) {
    const { name, description, required, variadic } = spec.argument;
    const word = variadic === true ? `${name}...` : name;
    command.argument(required ? `<${word}>` : `[${word}]`, description);
  }
  addOptions(command, spec.options ?? []);
  if (spec.helpAfter !== undefined) command.addHelpText('after', spec.helpAfter);
  for (const sub of spec.subcommands ?? []) addCommand(command, sub, io, runOptions);
  const load = spec.load;
  if (load === undefined) return;
  command.action(async (...args: unknown[]) => {
    // commander passes the arguments, then the options, then the command itself.
    const self = args.at(-1) as Command;
    const options = (args.at(-2) ?? {}) as Record<string, unknown>;
    const first = spec.argument === undefined ? undefined : args[0];
    const rest = Array.isArray(first) ? (first as string[]) : [];
    const argument = Array.isArray(first) ? undefined : (first as string | undefined);
    let root: Command = self;
    while (root.parent !== null) root = root.parent;
    // commander keeps the words it was given on the root command, untyped.
    const rawArgs = (root as unknown as { rawArgs?: readonly string[] }).rawArgs ?? [];
    const run = await load();
    const ctx = new CommandContext(io, self.optsWithGlobals<GlobalOptions>(), runOptions);
    await run(ctx, { argument, rest, options, sawDoubleDash: rawArgs.includes('--') });
    if (spec.noExpiryWarning !== true) {
      const { warnFromNotedExpiries } = await import('../commands/keys-expiry-warning.js');
      warnFromNotedExpiries(ctx);
    }
  });
}
