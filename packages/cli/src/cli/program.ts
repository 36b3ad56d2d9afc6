/**
 * @module cli/program
 * The command tree (commander). Each command's module is imported only when that command runs, so
 * `mlaas health` never loads the sign-in code and `mlaas services list` never loads openid-client unless
 * a token must be renewed.
 */
import type { Command } from 'commander';
import { commander } from './_commander.js';
import { CLI_VERSION } from '../version.js';
import { CommandContext, type GlobalOptions } from './context.js';
import { registerKeysCommands } from './keys-commands.js';
import type { Io } from './io.js';

const EXAMPLES = `
Examples:
  mlaas login                          sign in (browser, or a device code without a display)
  mlaas services list                  the ML services, their endpoints and your keys
  mlaas services init sentiment-analysis
  mlaas services init --name "Sentiment Analysis"
  mlaas services list --json | jq '.services[].id'

Original flags still work: --list, --init id=ID, --init name="NAME", --health, --config, --logout.

Exit codes: 0 ok, 1 error, 2 usage, 4 sign-in needed or failed.
Environment: MLAAS_PROFILE, MLAAS_KEYCLOAK_URL, MLAAS_KEYCLOAK_REALM, MLAAS_KEYCLOAK_CLIENT_ID,
  MLAAS_HELPER_URL, MLAAS_CA_FILE, MLAAS_CONFIG_DIR, MLAAS_USERNAME + MLAAS_PASSWORD, MLAAS_TOKEN_STORE.`;

/**
 * Builds a fresh command tree bound to some streams.
 *
 * @example
 * ```ts
 * await buildProgram(processIo()).parseAsync(['services', 'list'], { from: 'user' });
 * ```
 */
export function buildProgram(io: Io): Command {
  const { Command, Option } = commander;
  const program = new Command('mlaas')
    .description('Self-service API keys for MLaaS machine-learning services')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .option('--profile <name>', 'profile of settings and tokens (MLAAS_PROFILE; default "default")')
    .option('--json', 'print machine-readable JSON on stdout')
    .option('--no-input', 'never prompt; fail with exit code 4 when a sign-in is needed')
    .option('--verbose', 'print each HTTP call (method, URL, status, duration) on stderr; secrets masked')
    .option('--ca-file <path>', 'PEM file with a CA certificate to trust in addition to the system roots')
    .option('--keycloak-url <url>', 'Keycloak base URL (MLAAS_KEYCLOAK_URL)')
    .option('--keycloak-realm <realm>', 'Keycloak realm (MLAAS_KEYCLOAK_REALM)')
    .option('--keycloak-client-id <id>', 'OpenID Connect client id (MLAAS_KEYCLOAK_CLIENT_ID)')
    .option('--mlaas-helper-url <url>', 'MLaaS helper base URL (MLAAS_HELPER_URL)')
    .addOption(new Option('--allow-insecure-http', 'allow plain HTTP to hosts other than this machine').hideHelp())
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Errors are printed by main, in the CLI's one-line format.
      outputError: () => undefined,
    });

  const context = (command: Command) => new CommandContext(io, command.optsWithGlobals<GlobalOptions>());

  program
    .command('login')
    .description('sign in (browser with PKCE, device code, or username and password)')
    .option('--browser', 'sign in in a browser on this machine')
    .option('--device', 'sign in with a code on any device')
    .option('--password', 'sign in with username and password')
    .option('--username <name>', 'username for --password (MLAAS_USERNAME)')
    .option('--password-stdin', 'read the password from stdin')
    .action(async (options, command: Command) => {
      const { runLogin } = await import('../commands/login.js');
      await runLogin(context(command), options);
    });

  program
    .command('logout')
    .description('sign out: remove the tokens of the profile and end the session at the issuer')
    .action(async (_options, command: Command) => {
      const { runLogout } = await import('../commands/logout.js');
      await runLogout(context(command));
    });

  const whoami = async (_options: unknown, command: Command) => {
    const { runWhoami } = await import('../commands/whoami.js');
    await runWhoami(context(command));
  };
  program.command('whoami').description('show the signed-in user (also: mlaas auth status)').action(whoami);
  program
    .command('auth')
    .description('sign-in state')
    .command('status')
    .description('show the signed-in user')
    .action(whoami);

  const list = async (_options: unknown, command: Command) => {
    const { runServicesList } = await import('../commands/services-list.js');
    await runServicesList(context(command));
  };
  const services = program.command('services').description('ML services and their API keys');
  services.command('list').description('list the services, their endpoints and your keys').action(list);
  services
    .command('init')
    .description('get the API key for a service (created on first use)')
    .argument('[id]', 'service id, as in mlaas services list')
    .option('--name <name>', 'the service by its name instead of its id')
    .action(async (id: string | undefined, options: { name?: string }, command: Command) => {
      const { runServicesInit } = await import('../commands/services-init.js');
      await runServicesInit(context(command), id, options);
    });
  program.command('list').description('same as mlaas services list').action(list);

  program
    .command('health')
    .description('check that the helper answers')
    .action(async (_options, command: Command) => {
      const { runHealth } = await import('../commands/health.js');
      await runHealth(context(command));
    });

  program
    .command('config')
    .description('settings')
    .command('show')
    .description('show each effective setting and where it came from')
    .action(async (_options, command: Command) => {
      const { runConfigShow } = await import('../commands/config-show.js');
      await runConfigShow(context(command));
    });

  program
    .command('completion')
    .description('print a shell completion script')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string, _options, command: Command) => {
      const { runCompletion } = await import('../commands/completion.js');
      await runCompletion(context(command), shell);
    });

  registerKeysCommands(program, context);
  return program;
}
