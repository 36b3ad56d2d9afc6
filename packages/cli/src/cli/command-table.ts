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
import type { RunOptions } from '../commands/run.js';
import type { EnvOptions } from '../commands/env.js';
import type { SecretOptions } from '../commands/secret-kubernetes.js';
import type { SnippetOptions } from '../commands/snippet.js';
import type { RotateOptions } from '../commands/keys-rotate.js';
import type { RevokeOptions } from '../commands/keys-revoke.js';
import type { UsageOptions } from '../commands/usage.js';
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
      (ctx, { options }) =>
        runServicesList(ctx, { all: (options as { all?: boolean }).all === true }),
  );
/** `--all` of the services list. */
const ALL_SERVICES_OPTION: OptionSpec = {
  flags: '--all',
  description: 'also the services you are not entitled to, with the roles or groups that would grant them',
};

/** `--service ID`, repeatable, as the delivery commands take it. */
const SERVICE_OPTION = (verb: string): OptionSpec => ({
  flags: '--service <id>',
  description: `a service whose key to ${verb} (repeatable; default: every service you have a key for)`,
  repeatable: true,
});

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
        options: [ALL_SERVICES_OPTION],
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
    name: 'keys',
    description: 'your keys: list, rotate, revoke, history',
    summary: 'list, rotate and revoke your keys',
    subcommands: [
      {
        name: 'list',
        description: 'your keys on every service: state, created, expires, valid until',
        summary: 'list your keys',
        load: () =>
          import('../commands/keys-list.js').then(
            ({ runKeysList }) =>
              (ctx) =>
                runKeysList(ctx),
          ),
      },
      {
        name: 'rotate',
        description: 'replace a key; the old key keeps working for the grace period',
        summary: 'replace a key',
        argument: { name: 'service', description: 'service id', required: true, serviceIds: true },
        options: [
          {
            flags: '--grace <duration>',
            description: "how long the old key keeps working: 0, 90s, 30m, 24h, 7d (the helper's default)",
          },
        ],
        load: () =>
          import('../commands/keys-rotate.js').then(
            ({ runKeysRotate }) =>
              (ctx, { argument, options }) =>
                runKeysRotate(ctx, argument ?? '', options as RotateOptions),
          ),
      },
      {
        name: 'revoke',
        description: 'stop every key you hold on a service at once',
        summary: 'stop your keys on a service',
        argument: { name: 'service', description: 'service id', required: true, serviceIds: true },
        options: [{ flags: '-y, --yes', description: 'do not ask for confirmation' }],
        load: () =>
          import('../commands/keys-revoke.js').then(
            ({ runKeysRevoke }) =>
              (ctx, { argument, options }) =>
                runKeysRevoke(ctx, argument ?? '', options as RevokeOptions),
          ),
      },
      {
        name: 'history',
        description: 'your key events, newest first',
        summary: 'your key events',
        options: [{ flags: '--limit <n>', description: 'how many events (1-500; default 50)' }],
        load: () =>
          import('../commands/keys-history.js').then(
            ({ runKeysHistory }) =>
              (ctx, { options }) =>
                runKeysHistory(ctx, options as { limit?: string }),
          ),
      },
    ],
  },
  {
    name: 'run',
    description: 'run a command with your API keys in its environment (MLAAS_<SERVICE>_API_KEY, _URL, _APP_ID)',
    summary: 'run a command with your API keys',
    usage: '[--service ID]... -- CMD [ARGS...]',
    argument: { name: 'command', description: 'the command to run, after --', required: false, variadic: true },
    options: [SERVICE_OPTION('pass')],
    helpAfter:
      '\nVariables: MLAAS_<SERVICE>_API_KEY, MLAAS_<SERVICE>_URL, and MLAAS_<SERVICE>_APP_ID for services that need\n' +
      'an app id; <SERVICE> is the service id upper-cased, every character other than A-Z and 0-9 replaced by _.\n' +
      "Keys are fetched on every run and never written to disk. Exit status: the command's (127 not found,\n" +
      '128+N killed by signal N).\n\nExamples:\n  mlaas run --service sentiment-analysis -- python3 score.py\n' +
      '  mlaas run -- npm test                every service you have a key for',
    load: () =>
      import('../commands/run.js').then(
        ({ runRun }) =>
          (ctx, { rest, options, sawDoubleDash }) =>
            runRun(ctx, [...rest], sawDoubleDash, options as RunOptions),
      ),
  },
  {
    name: 'env',
    description: 'print the variables of mlaas run, for direnv and CI (values are secrets)',
    summary: 'print the variables of mlaas run',
    options: [SERVICE_OPTION('print'), { flags: '--format <format>', description: 'dotenv (default), shell or json' }],
    helpAfter:
      '\nExamples:\n  eval "$(mlaas env --format shell)"    in an .envrc for direnv\n' +
      '  mlaas env --service text-embedding --format json',
    load: () =>
      import('../commands/env.js').then(
        ({ runEnv }) =>
          (ctx, { options }) =>
            runEnv(ctx, options as EnvOptions),
      ),
  },
  {
    name: 'secret',
    description: 'print your keys as a deployment secret',
    summary: 'print your keys as a secret',
    subcommands: [
      {
        name: 'kubernetes',
        description: 'print a Kubernetes Secret manifest (stringData) with the variables of mlaas run',
        summary: 'a Kubernetes Secret',
        argument: { name: 'name', description: 'name of the Secret', required: true },
        options: [{ flags: '--namespace <ns>', description: 'namespace of the Secret' }, SERVICE_OPTION('include')],
        load: () =>
          import('../commands/secret-kubernetes.js').then(
            ({ runSecretKubernetes }) =>
              (ctx, { argument, options }) =>
                runSecretKubernetes(ctx, argument ?? '', options as SecretOptions),
          ),
      },
    ],
  },
  {
    name: 'usage',
    description:
      'your calls per day (per hour with --period day) and every limit of your plan: used / max and when it resets',
    summary: 'show your usage and limits',
    argument: {
      name: 'service',
      description: 'service id (default: every service you have a key for)',
      required: false,
      serviceIds: true,
    },
    options: [
      {
        flags: '--period <period>',
        description: 'day (last 24 hours by hour), week (last 7 days) or month (last 30 days)',
        defaultValue: 'week',
      },
    ],
    helpAfter:
      '\nExamples:\n  mlaas usage\n  mlaas usage sentiment-analysis --period month\n' +
      '  mlaas usage sentiment-analysis --json | jq ".limits[] | select(.used >= .max)"\n' +
      '\nDays and hours are UTC, as limits count them; reset times are shown in your time zone.',
    load: () =>
      import('../commands/usage.js').then(
        ({ runUsage }) =>
          (ctx, { argument, options }) =>
            runUsage(ctx, argument, options as UsageOptions),
      ),
  },
  {
    name: 'snippet',
    description: 'print a runnable call of a service that reads the key from the mlaas run variable',
    summary: 'print a runnable call of a service',
    argument: {
      name: 'service',
      description: 'service id, as in mlaas services list',
      required: true,
      serviceIds: true,
    },
    options: [{ flags: '--lang <lang>', description: 'curl, python or node', defaultValue: 'curl' }],
    helpAfter:
      '\nExample:\n  mlaas snippet sentiment-analysis --lang python > call.py\n' +
      '  mlaas run --service sentiment-analysis -- python3 call.py',
    load: () =>
      import('../commands/snippet.js').then(
        ({ runSnippet }) =>
          (ctx, { argument, options }) =>
            runSnippet(ctx, argument ?? '', options as SnippetOptions),
      ),
  },
  {
    name: 'doctor',
    description: 'check settings, connectivity, TLS, clock, sign-in and token storage; each with its fix',
    summary: 'check settings, connectivity and sign-in',
    load: () =>
      import('../commands/doctor.js').then(
        ({ runDoctor }) =>
          (ctx) =>
            runDoctor(ctx),
      ),
  },
  {
    name: 'completion',
    description: 'print a shell completion script',
    summary: 'print a completion script',
    noExpiryWarning: true,
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
