/**
 * @module idp/users
 * The embedded issuer's user directory: users from a users file (JSON, or YAML by extension) with scrypt
 * password hashes, plus the demo users `alice` and `bob` when enabled. Authentication answers the same
 * way, and takes the same time, for an unknown user and a wrong password.
 */
import { createHash, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { HelperError } from '../errors/helper-error.js';
import { readPrivateFile, writePrivateFile } from '../lib/private-file.js';
import { hashPassword, isPasswordHash, verifyPassword } from './password-hash.js';

/** Realm roles every user has, as Keycloak gives them by default. */
export const DEFAULT_REALM_ROLES = ['default-roles-mlaas', 'offline_access', 'uma_authorization'] as const;
/** Longest username accepted. */
const MAX_USERNAME_LENGTH = 64;
const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]*$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A user as the issuer knows it; `id` is the token's `sub`. */
export interface IdpUser {
  id: string;
  username: string;
  email: string;
  /** Whether an administrator confirmed the address belongs to this user; only then is it asserted. */
  emailVerified: boolean;
  soeid: string | null;
  name: string | null;
  roles: string[];
  /** Group paths (`/data-science`), put in tokens' `groups` claim as Keycloak's group mapper does. */
  groups: string[];
  /** A disabled user cannot sign in or refresh, and offboarding suspends their keys. */
  enabled: boolean;
  passwordHash: string;
}

/** The demo users: username = password, only ever served on a loopback address. */
export const DEMO_USERS = [
  { username: 'alice', password: 'alice', email: 'alice@example.org', soeid: 'AL12345', name: 'Alice Demo' },
  { username: 'bob', password: 'bob', email: 'bob@example.org', soeid: 'BO67890', name: 'Bob Demo' },
] as const;

export interface UserDirectory {
  /** The user with this id (`sub`), or null. */
  findById(id: string): IdpUser | null;
  /** The user when the password is right; null for an unknown user or a wrong password alike. */
  authenticate(username: string, password: string): Promise<IdpUser | null>;
  /** Usernames known, for diagnostics (never passwords). */
  usernames(): string[];
}

/**
 * Loads the directory: the users file (missing file = no users) and, when asked, the demo users.
 * @throws HelperError CONFIG_ERROR for an unreadable or malformed users file.
 * @example const users = await createUserDirectory({ usersFile: '.mlaas-data/users.json', demoUsers: true });
 */
export async function createUserDirectory(options: { usersFile: string; demoUsers: boolean }): Promise<UserDirectory> {
  const demoHashes = new Map<string, string>();
  if (options.demoUsers) {
    for (const demo of DEMO_USERS) demoHashes.set(demo.username, await hashPassword(demo.password));
  }
  // The file is read again when it changes, so `users disable` takes effect without a restart.
  let loadedStamp = '';
  let byName = new Map<string, IdpUser>();
  let byId = new Map<string, IdpUser>();
  const current = () => {
    const stamp = fileStamp(options.usersFile);
    if (stamp !== loadedStamp || byName.size === 0) {
      const users = withDemoUsers(readUsersFile(options.usersFile), options.demoUsers, demoHashes);
      byName = new Map(users.map((u) => [u.username, u]));
      byId = new Map(users.map((u) => [u.id, u]));
      loadedStamp = stamp;
    }
    return { byName, byId };
  };
  current();
  // Verified against for unknown users, so they cost the same time as known ones.
  const decoy = await hashPassword(randomUUID());

  return {
    // A disabled user is as good as gone: no token is issued or refreshed for them.
    findById: (id) => {
      const user = current().byId.get(id);
      return user !== undefined && user.enabled ? user : null;
    },
    async authenticate(username, password) {
      const user = current().byName.get(normalizeUsername(username));
      const ok = await verifyPassword(password, user?.passwordHash ?? decoy);
      return ok && user !== undefined && user.enabled ? user : null;
    },
    usernames: () => [...current().byName.keys()],
  };
}

/**
 * Every user of the directory as it stands now: the users file, and the demo users when served (their
 * password hashes left empty: this list is for looking people up, never for signing in).
 * @example listUsers({ usersFile: '.mlaas-data/users.json', demoUsers: true }).map((u) => u.username)
 */
export function listUsers(options: { usersFile: string; demoUsers: boolean }): IdpUser[] {
  return withDemoUsers(readUsersFile(options.usersFile), options.demoUsers, new Map());
}

function withDemoUsers(users: IdpUser[], demoUsers: boolean, hashes: ReadonlyMap<string, string>): IdpUser[] {
  if (!demoUsers) return users;
  for (const demo of DEMO_USERS) {
    // A real user with the same name, email or soeid wins: the demo user must never share an identity.
    if (users.some((u) => u.username === demo.username || findDuplicate(u, demo) !== null)) continue;
    users.push({
      id: stableUuid(`mlaas-demo-user:${demo.username}`),
      username: demo.username,
      email: demo.email,
      emailVerified: true,
      soeid: demo.soeid,
      name: demo.name,
      roles: [...DEFAULT_REALM_ROLES, 'ml-user'],
      groups: [],
      enabled: true,
      passwordHash: hashes.get(demo.username) ?? '',
    });
  }
  return users;
}

/** Size and modification time of a file ('' when missing): enough to notice a rewrite. */
function fileStamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch {
    return '';
  }
}

/**
 * Enables or disables a user of a users file. Returns false when the user was already so.
 * @throws HelperError VALIDATION_ERROR when the file has no such user.
 * @example await setUserEnabled('.mlaas-data/users.json', 'carol', false);
 */
export function setUserEnabled(usersFile: string, username: string, enabled: boolean): boolean {
  const name = normalizeUsername(username);
  const users = readUsersFile(usersFile);
  const user = users.find((u) => u.username === name);
  if (user === undefined) throw new HelperError('VALIDATION_ERROR', `no user named "${name}" in ${usersFile}`);
  if (user.enabled === enabled) return false;
  user.enabled = enabled;
  writeUsersFile(usersFile, users);
  return true;
}

/** Emails and soeids compare case-insensitively: no two users may differ only in case. */
function sameId(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

/** Which identity a user shares with another (`email` or `soeid`), or null. */
function findDuplicate(
  user: { email: string; soeid: string | null },
  other: { email: string; soeid: string | null },
): 'email' | 'soeid' | null {
  if (sameId(user.email, other.email)) return 'email';
  if (sameId(user.soeid, other.soeid)) return 'soeid';
  return null;
}

/** Usernames compare case-insensitively, as Keycloak's do. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/**
 * Adds a user to a users file (creating it), hashing the password. Writes atomically with mode 0600.
 * @throws HelperError VALIDATION_ERROR for a bad name, email or password, or a user that already exists.
 * @example await addUser('.mlaas-data/users.json', { username: 'carol', email: 'carol@example.org', password });
 */
export async function addUser(
  usersFile: string,
  input: {
    username: string;
    email: string;
    password: string;
    soeid?: string | null;
    name?: string | null;
    roles?: string[];
    groups?: string[];
    /** The administrator confirmed the address belongs to this user. */
    emailVerified?: boolean;
  },
): Promise<IdpUser> {
  const username = normalizeUsername(input.username);
  const problems: string[] = [];
  if (username.length > MAX_USERNAME_LENGTH || !USERNAME_PATTERN.test(username)) {
    problems.push(
      `the username must be 1 to ${MAX_USERNAME_LENGTH} characters: lowercase letters, digits, ".", "_", "@", "-"`,
    );
  }
  if (!EMAIL_PATTERN.test(input.email)) problems.push('the email address is not valid');
  if (input.password.length < 8) problems.push('the password must have at least 8 characters');
  if (input.soeid !== undefined && input.soeid !== null && !/^[A-Za-z0-9._-]{1,64}$/.test(input.soeid)) {
    problems.push('the soeid must be 1 to 64 letters, digits, ".", "_" or "-"');
  }
  if (problems.length > 0) throw new HelperError('VALIDATION_ERROR', problems.join('; '));
  const users = readUsersFile(usersFile);
  if (users.some((u) => u.username === username)) {
    throw new HelperError('VALIDATION_ERROR', `a user named "${username}" already exists in ${usersFile}`);
  }
  // The helper finds accounts by soeid and by verified email: a second user with either would reach the
  // first one's keys.
  const candidate = { email: input.email, soeid: input.soeid ?? null };
  for (const existing of users) {
    const shared = findDuplicate(candidate, existing);
    if (shared !== null) {
      throw new HelperError(
        'VALIDATION_ERROR',
        `the ${shared === 'email' ? 'email address' : 'soeid'} of the new user belongs to "${existing.username}" already; each user needs their own`,
      );
    }
  }
  const user: IdpUser = {
    id: randomUUID(),
    username,
    email: input.email,
    emailVerified: input.emailVerified ?? false,
    soeid: input.soeid ?? null,
    name: input.name ?? null,
    roles: [...new Set([...DEFAULT_REALM_ROLES, ...(input.roles ?? [])])],
    groups: [...new Set((input.groups ?? []).map((g) => (g.startsWith('/') ? g : `/${g}`)))],
    enabled: true,
    passwordHash: await hashPassword(input.password),
  };
  writeUsersFile(usersFile, [...users, user]);
  return user;
}

/**
 * Reads a users file; a missing file is an empty directory.
 * @throws HelperError CONFIG_ERROR for a malformed file, naming the entry at fault.
 */
export function readUsersFile(path: string): IdpUser[] {
  const text = readPrivateFile(path, 'users');
  if (text === null) return [];
  let parsed: unknown;
  try {
    parsed = isYaml(path) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new HelperError('CONFIG_ERROR', `the users file ${path} cannot be parsed`, { cause: error });
  }
  const list = (parsed as { users?: unknown } | null)?.users;
  if (!Array.isArray(list)) throw new HelperError('CONFIG_ERROR', `the users file ${path} must have a "users" list`);
  const seen = new Set<string>();
  const users = list.map((entry: unknown, index): IdpUser => {
    const raw = (entry ?? {}) as Record<string, unknown>;
    const where = `the users file ${path}, users[${index}]`;
    if (typeof raw.username !== 'string' || !USERNAME_PATTERN.test(normalizeUsername(raw.username))) {
      throw new HelperError('CONFIG_ERROR', `${where}: "username" is missing or not valid`);
    }
    const username = normalizeUsername(raw.username);
    if (seen.has(username)) throw new HelperError('CONFIG_ERROR', `${where}: the username "${username}" appears twice`);
    seen.add(username);
    if (typeof raw.id !== 'string' || raw.id === '') throw new HelperError('CONFIG_ERROR', `${where}: "id" is missing`);
    if (typeof raw.email !== 'string' || !EMAIL_PATTERN.test(raw.email))
      throw new HelperError('CONFIG_ERROR', `${where}: "email" is missing or not valid`);
    if (!isPasswordHash(raw.password_hash)) {
      throw new HelperError(
        'CONFIG_ERROR',
        `${where}: "password_hash" must be an scrypt hash (add users with \`mlaas-helper users add\`)`,
      );
    }
    const roles = Array.isArray(raw.roles)
      ? raw.roles.filter((r): r is string => typeof r === 'string')
      : [...DEFAULT_REALM_ROLES];
    if (raw.email_verified !== undefined && typeof raw.email_verified !== 'boolean') {
      throw new HelperError('CONFIG_ERROR', `${where}: "email_verified" must be true or false`);
    }
    if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') {
      throw new HelperError('CONFIG_ERROR', `${where}: "enabled" must be true or false`);
    }
    if (raw.groups !== undefined && (!Array.isArray(raw.groups) || raw.groups.some((g) => typeof g !== 'string'))) {
      throw new HelperError('CONFIG_ERROR', `${where}: "groups" must be a list of group paths`);
    }
    return {
      id: raw.id,
      username,
      email: raw.email,
      emailVerified: raw.email_verified === true,
      soeid: typeof raw.soeid === 'string' && raw.soeid !== '' ? raw.soeid : null,
      name: typeof raw.name === 'string' && raw.name !== '' ? raw.name : null,
      roles,
      groups: Array.isArray(raw.groups) ? (raw.groups as string[]) : [],
      enabled: raw.enabled !== false,
      passwordHash: raw.password_hash,
    };
  });
  users.forEach((user, index) => {
    const earlier = users.slice(0, index).find((other) => findDuplicate(user, other) !== null);
    if (earlier !== undefined) {
      throw new HelperError(
        'CONFIG_ERROR',
        `the users file ${path}: "${user.username}" has the same ${findDuplicate(user, earlier) === 'email' ? 'email address' : 'soeid'} as "${earlier.username}"; each user needs their own`,
      );
    }
  });
  return users;
}

function writeUsersFile(path: string, users: IdpUser[]): void {
  const document = {
    users: users.map((u) => ({
      id: u.id,
      username: u.username,
      email: u.email,
      ...(u.emailVerified ? { email_verified: true } : {}),
      ...(u.soeid !== null ? { soeid: u.soeid } : {}),
      ...(u.name !== null ? { name: u.name } : {}),
      roles: u.roles,
      ...(u.groups.length > 0 ? { groups: u.groups } : {}),
      ...(u.enabled ? {} : { enabled: false }),
      password_hash: u.passwordHash,
    })),
  };
  const text = isYaml(path) ? stringifyYaml(document) : `${JSON.stringify(document, null, 2)}\n`;
  writePrivateFile(path, text, 'users');
}

function isYaml(path: string): boolean {
  return ['.yaml', '.yml'].includes(extname(path).toLowerCase());
}

/** A UUID (version-5 layout) derived from a name, so a demo user keeps its `sub` across restarts. */
function stableUuid(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
