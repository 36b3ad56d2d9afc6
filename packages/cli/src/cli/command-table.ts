/**
 * @module cli/command-table
 * Every command of `mlaas` as data: names, descriptions, arguments, options, the original CLI's flags, and a
 * loader for each command's code. The parser (`program.ts`), the completion scripts and the translation of
 * the original flags are built from this one table.
 *
 * The loaders are the CLI's lazy loading, kept in this one place: a run loads only the module of the command
 * it runs. That is what keeps `mlaas --help`, `config show` and `completion` from loading the SDK and the
 * sign-in code, and `services list` from loading the sign-in flows, openid-client and the table of
 * `login`'s options (measured in bench/README.md, "CLI startup").
 */
import type { LoginOptions } from '../commands/login.js';
import type { InitOptions } from '../commands/services-init.js';
import { longName, takesValue, type CommandSpec, type OptionSpec } from './command-spec.js';

/** Options every command accepts, defined once on the root command. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { flags: '--profile <name>', description: 'profile of settings and tokens (MLAAS_PROFILE; default "default")' },
  { flags: '--json', description: 'print machine-readable JSON on stdout' },
  { flags: '--no-input', description: 'never prompt; fail with exit code 4 when a sign-in is needed' },
  {
    flags: '--verbose',
    description: 'print each HTTP call (method, URL, status, duration) on stderr; secrets masked (MLAAS_VERBOSE=1)',
  },
  {
    flags: '--ca-file <path>',
    description: 'PEM file with a CA certificate to trust in addition to the system roots',
    file: true,
  },
  { flags: '--keycloak-url <url>', description: 'Keycloak base URL (MLAAS_KEYCLOAK_URL)' },
  { flags: '--keycloak-realm <realm>', description: 'Keycloak realm (MLAAS_KEYCLOAK_REALM)' },
  { flags: '--keycloak-client-id <id>', description: 'OpenID Connect client id (MLAAS_KEYCLOAK_CLIENT_ID)' },
  { flags: '--mlaas-helper-url <url>', description: 'MLaaS helper base URL (MLAAS_HELPER_URL)' },
  {
    flags: '--allow-insecure-http',
    description: 'allow plain HTTP to hosts other than this machine (MLAAS_ALLOW_INSECURE_HTTP)',
  },
];

const whoami: CommandSpec['load'] = () =>
  import('../commands/whoami.js').then(
    ({ runWhoami }) =>
      (ctx) =>
        runWhoami(ctx),
  );
const servicesList: CommandSpec['load'] = () =>
  import('../commands/services-list.js').then(
    ({ runServicesList }) =>
      (ctx) =>
        runServicesList(ctx),
  );

/** The shells `mlaas completion` prints a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** The commands of `mlaas`. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'login',
    description: 'sign in (browser with PKCE, device code, or username and password)',
    summary: 'sign in',
    options: [
      { flags: '--browser', description: 'sign in in a browser on this machine' },
      { flags: '--device', description: 'sign in with a code on any device' },
      { flags: '--password', description: 'sign in with username and password' },
      { flags: '--username <name>', description: 'username for --password (MLAAS_USERNAME)' },
      { flags: '--password-stdin', description: 'read the password from stdin' },
    ],
    load: () =>
      import('../commands/login.js').then(
        ({ runLogin }) =>
          (ctx, { options }) =>
            runLogin(ctx, options as LoginOptions),
      ),
  },
  {
    name: 'logout',
    description: 'sign out: remove the tokens of the profile and end the session at the issuer',
    summary: 'sign out',
    legacyFlag: '--logout',
    load: () =>
      import('../commands/logout.js').then(
        ({ runLogout }) =>
          (ctx) =>
            runLogout(ctx),
      ),
  },
  {
    name: 'whoami',
    description: 'show the signed-in user (also: mlaas auth status)',
    summary: 'show the signed-in user',
    load: whoami,
  },
  {
    name: 'auth',
    description: 'sign-in state',
    summary: 'sign-in status',
    subcommands: [{ name: 'status', description: 'show the signed-in user', summary: 'signed-in user', load: whoami }],
  },
  {
    name: 'services',
    description: 'ML services and their API keys',
    summary: 'list services and get keys',
    subcommands: [
      {
        name: 'list',
        description: 'list the services, their endpoints and your keys',
        summary: 'list services',
        legacyFlag: '--list',
        load: servicesList,
      },
      {
        name: 'init',
        description: 'get the API key for a service (created on first use)',
        summary: 'get a key',
        argument: {
          name: 'id',
          description: 'service id, as in mlaas services list',
          required: false,
          serviceIds: true,
        },
        options: [{ flags: '--name <name>', description: 'the service by its name instead of its id' }],
        legacyFlag: '--init',
        load: () =>
          import('../commands/services-init.js').then(
            ({ runServicesInit }) =>
              (ctx, { argument, options }) =>
                runServicesInit(ctx, argument, options as InitOptions),
          ),
      },
    ],
  },
  { name: 'list', description: 'same as mlaas services list', summary: 'list services', load: servicesList },
  {
    name: 'health',
    description: 'check that the helper answers',
    summary: 'check the helper',
    legacyFlag: '--health',
    load: () =>
      import('../commands/health.js').then(
        ({ runHealth }) =>
          (ctx) =>
            runHealth(ctx),
      ),
  },
  {
    name: 'config',
    description: 'settings',
    summary: 'show settings',
    subcommands: [
      {
        name: 'show',
        description: 'show each effective setting and where it came from',
        summary: 'effective settings',
        legacyFlag: '--config',
        load: () =>
          import('../commands/config-show.js').then(
            ({ runConfigShow }) =>
              (ctx) =>
                runConfigShow(ctx),
          ),
      },
    ],
  },
  {
    name: 'completion',
    description: 'print a shell completion script',
    summary: 'print a completion script',
    argument: { name: 'shell', description: SHELLS.join(', '), required: true, choices: SHELLS },
    load: () =>
      import('../commands/completion.js').then(
        ({ runCompletion }) =>
          (ctx, { argument }) =>
            runCompletion(ctx, argument ?? '', { globals: GLOBAL_OPTIONS, commands: COMMANDS }),
      ),
  },
];

/**
 * The command a list of words names, as far as the words go: `['services', 'lsit']` gives `services`.
 *
 * @example
 * ```ts
 * commandPath(['services', 'list', '--json']); // ['services', 'list']
 * ```
 */
export function commandPath(words: readonly string[]): string[] {
  const valueOptions = new Set(GLOBAL_OPTIONS.filter(takesValue).map(longName));
  const path: string[] = [];
  let level: readonly CommandSpec[] | undefined = COMMANDS;
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i] as string;
    if (word === '--') break;
    if (word.startsWith('-')) {
      if (valueOptions.has(word)) i += 1;
      continue;
    }
    const found: CommandSpec | undefined = level?.find((c) => c.name === word);
    if (found === undefined) break;
    path.push(found.name);
    level = found.subcommands;
  }
  return path;
}
