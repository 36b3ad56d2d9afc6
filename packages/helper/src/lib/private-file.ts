/**
 * @module lib/private-file
 * Private files (the store's encryption key, the issuer's signing keys, cookie keys, users): read with a
 * permission check, written atomically (temp file, fsync, rename or link) with mode 0600, so a crash never
 * leaves half a file behind and nobody else can read them.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { HelperError } from '../errors/helper-error.js';

/** Group and other permission bits: a secret file with any of them set is readable by someone else. */
const SHARED_MODE_BITS = 0o077;

/**
 * The text of a private file, or null when it does not exist. Refuses a file others can read.
 * @throws HelperError CONFIG_ERROR when the file cannot be read or is shared.
 */
export function readPrivateFile(path: string, what: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new HelperError('CONFIG_ERROR', `cannot read the ${what} file ${path}`, { cause: error });
  }
  try {
    const { mode } = fstatSync(fd);
    if (process.platform !== 'win32' && (mode & SHARED_MODE_BITS) !== 0) {
      const octal = (mode & 0o777).toString(8).padStart(4, '0');
      throw new HelperError(
        'CONFIG_ERROR',
        `the ${what} file ${path} is readable by group or others (mode ${octal}); run \`chmod 600 ${path}\``,
      );
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces a file atomically with `text`, mode 0600; creates the directory (0700) when missing.
 * @throws HelperError CONFIG_ERROR when the file cannot be written.
 */
export function writePrivateFile(path: string, text: string, what: string): void {
  const temp = writeTempFile(path, text, what);
  try {
    renameSync(temp, path);
    syncDirectory(dirname(path));
  } catch (error) {
    throw new HelperError('CONFIG_ERROR', `cannot write the ${what} file ${path}`, { cause: error });
  } finally {
    unlinkQuietly(temp);
  }
}

/**
 * Creates a private file with `text` unless it already exists — atomically, and safe against a concurrent
 * process doing the same: link(), unlike rename(), never replaces an existing file, so whoever links first wins.
 * @returns true when this call created the file, false when it was already there.
 * @throws HelperError CONFIG_ERROR when the file cannot be written.
 */
export function createPrivateFileOnce(path: string, text: string, what: string): boolean {
  const temp = writeTempFile(path, text, what);
  try {
    linkSync(temp, path);
    syncDirectory(dirname(path));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new HelperError('CONFIG_ERROR', `cannot create the ${what} file ${path}`, { cause: error });
  } finally {
    unlinkQuietly(temp);
  }
}

/** Writes `text` durably to a new 0600 temp file beside `path` (creating the directory, 0700). */
function writeTempFile(path: string, text: string, what: string): string {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return temp;
  } catch (error) {
    unlinkQuietly(temp);
    throw new HelperError('CONFIG_ERROR', `cannot write the ${what} file ${path}`, { cause: error });
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created, or already renamed.
  }
}

/** Parses JSON from a private file, naming the file when it is not JSON. */
export function parseJsonFile(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HelperError('CONFIG_ERROR', `the ${what} file ${path} is not valid JSON`, { cause: error });
  }
}

function syncDirectory(path: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Files SQLite keeps beside a database in WAL mode; they hold recent writes in the clear. */
const SQLITE_COMPANIONS = ['', '-wal', '-shm', '-journal'] as const;

/**
 * Prepares a SQLite database path so the database and its `-wal`/`-shm` files are private: creates the
 * database file 0600 when missing (SQLite then gives its companion files the database's mode) and tightens
 * files an older version left readable by others.
 * @example preparePrivateDatabase(join(dataDir, 'mlaas.db')); const db = new Database(join(dataDir, 'mlaas.db'));
 */
export function preparePrivateDatabase(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  if (process.platform === 'win32') return;
  for (const suffix of SQLITE_COMPANIONS) {
    try {
      chmodSync(`${path}${suffix}`, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
