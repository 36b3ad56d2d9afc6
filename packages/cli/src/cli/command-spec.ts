/**
 * @module cli/command-spec
 * The shape of the command tree as data. The tree itself is in `command-table.ts`; the parser, the shell
 * completion scripts and the original CLI's flags are all derived from it, so none of them can drift.
 */
import type { CommandContext } from './context.js';

/** An option as commander spells it (`--name <name>`, `--no-input`). */
export interface OptionSpec {
  flags: string;
  description: string;
  /** Completes file names for the value. */
  file?: boolean;
  /** The option may be given more than once; the command receives every value, in order. */
  repeatable?: boolean;
  /** The value when the option is not given. */
  defaultValue?: string;
}

/** A command's one positional argument. */
export interface ArgumentSpec {
  name: string;
  description: string;
  required: boolean;
  /** The values it accepts, offered by completion. */
  choices?: readonly string[];
  /** Completion asks `mlaas services list` for the service ids. */
  serviceIds?: boolean;
  /** Takes every remaining word (`mlaas run -- CMD ARGS…`). */
  variadic?: boolean;
}

/** What a command's code receives besides the context. */
export interface CommandInput {
  argument: string | undefined;
  /** Every word of a variadic argument; empty otherwise. */
  rest: readonly string[];
  options: Record<string, unknown>;
  /** Whether the command line held a `--` (the end of mlaas's own options). */
  sawDoubleDash: boolean;
}

/** A command's code, once loaded. */
export type CommandRun = (ctx: CommandContext, input: CommandInput) => Promise<void>;

/** One command of the tree. */
export interface CommandSpec {
  name: string;
  description: string;
  /** A few words for completion menus. */
  summary: string;
  /** The usage line, where commander's own would mislead (`[--service ID]... -- CMD [ARGS...]`). */
  usage?: string;
  /** Text printed after the command's help: examples, variables. */
  helpAfter?: string;
  argument?: ArgumentSpec;
  options?: readonly OptionSpec[];
  subcommands?: readonly CommandSpec[];
  /** The original CLI's flag for this command (`--list`); with an argument, the flag takes its value. */
  legacyFlag?: string;
  /** Loads the command's code; called only when the command runs. */
  load?: () => Promise<CommandRun>;
  /** No warning about keys expiring soon after this command (its output is meant for a machine). */
  noExpiryWarning?: boolean;
}

/** Whether an option takes a value. */
export function takesValue(option: OptionSpec): boolean {
  return option.flags.includes('<') || option.flags.includes('[');
}

/** The long name of an option (`--ca-file`). */
export function longName(option: OptionSpec): string {
  return /--[a-z][a-z0-9-]*/.exec(option.flags)?.[0] ?? option.flags;
}
