/**
 * @module idp/admin-commands
 * The `mlaas-helper users add|disable|enable` and `mlaas-helper keys rotate` commands of the embedded issuer. They work on
 * the data directory's files and need none of the server's other configuration.
 */
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { dataLocations } from '../config/load-config.js';
import { isHelperError } from '../errors/helper-error.js';
import { promptHidden, readFirstLine, type PasswordInput } from './read-password.js';
import { rotateSigningKeys } from './signing-keys.js';
import { addUser, setUserEnabled } from './users.js';

export const ADMIN_USAGE = `Embedded issuer administration:
  mlaas-helper users add NAME --email EMAIL [--email-verified] [--soeid ID] [--name "Full Name"]
                             [--role ROLE]... [--group /PATH]... [--password-stdin] [--file PATH]
      Adds a user to the users file (default: $EMBEDDED_USERS_FILE, else $MLAAS_DATA_DIR/users.json).
      Emails and soeids must be unique. --email-verified: you confirmed the address is the user's (only
      then do tokens say email_verified, which lets the address find an existing account).
      The password is prompted for without echo, or read from the first line of stdin with --password-stdin.
  mlaas-helper users disable NAME [--file PATH]
  mlaas-helper users enable NAME [--file PATH]
      A disabled user cannot sign in or refresh tokens (a running helper notices the change), and the
      reconcile loop suspends their keys; enabling resumes them on its next run.
  mlaas-helper keys rotate [--data-dir DIR]
      Makes a new signing key; previous keys stay published until long after their tokens expire.
      Restart the helper to start signing with the new key.`;

export interface AdminIo {
  env: Readonly<Record<string, string | undefined>>;
  stdin: PasswordInput;
  stdout: Writable;
  stderr: Writable;
}

/**
 * Runs an admin command; resolves with the process exit code (0 ok, 1 failure, 2 usage).
 * @example process.exitCode = await runAdminCommand(['users', 'add', 'carol', '--email', 'c@example.org'], io);
 */
export async function runAdminCommand(argv: string[], io: AdminIo): Promise<number> {
  const [area, action, ...rest] = argv;
  try {
    if (area === 'users' && action === 'add') return await usersAdd(rest, io);
    if (area === 'users' && (action === 'disable' || action === 'enable')) return usersEnable(action, rest, io);
    if (area === 'keys' && action === 'rotate') return await keysRotate(rest, io);
  } catch (error) {
    const message =
      isHelperError(error) || error instanceof TypeError || error instanceof Error ? error.message : String(error);
    io.stderr.write(`mlaas-helper: ${message}\n`);
    return (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? 2 : 1;
  }
  io.stderr.write(`mlaas-helper: unknown command "${argv.join(' ')}"\n\n${ADMIN_USAGE}\n`);
  return 2;
}

async function usersAdd(args: string[], io: AdminIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      'email-verified': { type: 'boolean', default: false },
      soeid: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', multiple: true },
      group: { type: 'string', multiple: true },
      'password-stdin': { type: 'boolean', default: false },
      file: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  const [username, ...extra] = positionals;
  if (username === undefined || extra.length > 0 || values.email === undefined) {
    io.stderr.write(`mlaas-helper: users add needs exactly one NAME and --email\n\n${ADMIN_USAGE}\n`);
    return 2;
  }
  const usersFile = values.file ?? dataLocations(io.env, values['data-dir']).usersFile;

  let password: string;
  if (values['password-stdin']) {
    password = await readFirstLine(io.stdin);
  } else if (io.stdin.isTTY) {
    password = await promptHidden(`Password for ${username}: `, io.stdin, io.stderr);
    const again = await promptHidden('Repeat the password: ', io.stdin, io.stderr);
    if (again !== password) {
      io.stderr.write('mlaas-helper: the passwords do not match\n');
      return 1;
    }
  } else {
    io.stderr.write('mlaas-helper: stdin is not a terminal; pass the password on stdin with --password-stdin\n');
    return 2;
  }

  const user = await addUser(usersFile, {
    username,
    email: values.email,
    password,
    soeid: values.soeid ?? null,
    name: values.name ?? null,
    roles: values.role ?? [],
    groups: values.group ?? [],
    emailVerified: values['email-verified'],
  });
  io.stdout.write(`Added user ${user.username} (${user.email}) to ${usersFile}\n`);
  return 0;
}

function usersEnable(action: 'disable' | 'enable', args: string[], io: AdminIo): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { file: { type: 'string' }, 'data-dir': { type: 'string' } },
  });
  const [username, ...extra] = positionals;
  if (username === undefined || extra.length > 0) {
    io.stderr.write(`mlaas-helper: users ${action} needs exactly one NAME\n\n${ADMIN_USAGE}\n`);
    return 2;
  }
  const usersFile = values.file ?? dataLocations(io.env, values['data-dir']).usersFile;
  const changed = setUserEnabled(usersFile, username, action === 'enable');
  const state = action === 'enable' ? 'enabled' : 'disabled';
  io.stdout.write(
    changed
      ? `User ${username} is ${state} in ${usersFile}; the next reconcile run ${action === 'enable' ? 'resumes' : 'suspends'} their keys.\n`
      : `User ${username} was already ${state}.\n`,
  );
  return 0;
}

async function keysRotate(args: string[], io: AdminIo): Promise<number> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } });
  const { dataDir } = dataLocations(io.env, values['data-dir']);
  const { activeKid, publishedKids, droppedKids } = await rotateSigningKeys(dataDir);
  io.stdout.write(
    `New signing key ${activeKid} in ${dataDir}; published: ${publishedKids.join(', ')}` +
      `${droppedKids.length > 0 ? `; dropped: ${droppedKids.join(', ')}` : ''}.\nRestart the helper to sign with it.\n`,
  );
  return 0;
}
