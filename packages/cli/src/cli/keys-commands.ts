/**
 * @module cli/keys-commands
 * The `mlaas keys` command group: list, rotate, revoke, history. Each command's module is imported only when
 * that command runs.
 */
import type { Command } from 'commander';
import type { CommandContext } from './context.js';

/**
 * Adds `keys list|rotate|revoke|history` to a program.
 * @example registerKeysCommands(program, (command) => new CommandContext(io, command.optsWithGlobals()));
 */
export function registerKeysCommands(program: Command, context: (command: Command) => CommandContext): void {
  const keys = program.command('keys').description('your keys: list, rotate, revoke, history');
  keys
    .command('list')
    .description('your keys on every service: state, created, expires, valid until')
    .action(async (_options, command: Command) => {
      const { runKeysList } = await import('../commands/keys-list.js');
      await runKeysList(context(command));
    });
  keys
    .command('rotate')
    .description('replace a key; the old key keeps working for the grace period')
    .argument('<service>', 'service id')
    .option('--grace <duration>', "how long the old key keeps working: 0, 90s, 30m, 24h, 7d (the helper's default)")
    .action(async (service: string, options: { grace?: string }, command: Command) => {
      const { runKeysRotate } = await import('../commands/keys-rotate.js');
      await runKeysRotate(context(command), service, options);
    });
  keys
    .command('revoke')
    .description('stop every key you hold on a service at once')
    .argument('<service>', 'service id')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (service: string, options: { yes?: boolean }, command: Command) => {
      const { runKeysRevoke } = await import('../commands/keys-revoke.js');
      await runKeysRevoke(context(command), service, options);
    });
  keys
    .command('history')
    .description('your key events, newest first')
    .option('--limit <n>', 'how many events (1-500; default 50)')
    .action(async (options: { limit?: string }, command: Command) => {
      const { runKeysHistory } = await import('../commands/keys-history.js');
      await runKeysHistory(context(command), options);
    });
}
