/**
 * @module store/file-store
 * Tokens in `credentials.json` in the config directory: directory 0700, file 0600, replaced atomically so a
 * crash mid-write leaves the old or the new file, never a part. One object per profile.
 */
import { readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MlaasError } from '../lib/errors.js';
import { CREDENTIALS_FILE, ensurePrivateDir } from '../config/paths.js';
import { isStoredTokens, type StoredTokens } from './token-set.js';
import type { TokenStore } from './token-store.js';

/** Format version of the credentials file. */
const FILE_VERSION = 1;

interface CredentialsFile {
  version: number;
  profiles: Record<string, StoredTokens>;
}

/** Options of {@link createFileTokenStore}. */
export interface FileTokenStoreOptions {
  configDir: string;
  /** Receives warnings (a file with loose permissions, an unreadable file, the plain-file notice). */
  warn?: (message: string) => void;
}

/**
 * The plain-file token store. Prints a one-time notice when it creates the file.
 *
 * @example
 * ```ts
 * const store = createFileTokenStore({ configDir: resolveConfigDir(process.env), warn: console.error });
 * const tokens = await store.read('default');
 * ```
 */
export function createFileTokenStore(options: FileTokenStoreOptions): TokenStore {
  const path = join(options.configDir, CREDENTIALS_FILE);
  const noticePath = join(options.configDir, PLAIN_FILE_NOTICE);
  const warn = options.warn ?? (() => undefined);
  let warnedMode = false;

  function load(): CredentialsFile {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: FILE_VERSION, profiles: {} };
      throw new MlaasError('STORAGE_ERROR', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
    checkMode();
    try {
      const parsed = JSON.parse(text) as Partial<CredentialsFile>;
      const profiles: Record<string, StoredTokens> = {};
      for (const [name, tokens] of Object.entries(parsed.profiles ?? {})) {
        if (isStoredTokens(tokens)) profiles[name] = tokens;
      }
      return { version: FILE_VERSION, profiles };
    } catch {
      warn(`${path} is not valid JSON; ignoring it (sign in again to replace it)`);
      return { version: FILE_VERSION, profiles: {} };
    }
  }

  function checkMode(): void {
    if (process.platform === 'win32' || warnedMode) return;
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      warnedMode = true;
      warn(`${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
    }
  }

  async function save(file: CredentialsFile): Promise<void> {
    const existed = exists(path);
    // Needed only to write: reading tokens (every command) does not load them.
    const [{ writeFileAtomic }, { isProcessAlive }] = await Promise.all([
      import('./atomic-write.js'),
      import('./file-lock.js'),
    ]);
    try {
      ensurePrivateDir(options.configDir);
      writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
    } catch (error) {
      throw new MlaasError('STORAGE_ERROR', `cannot write ${path}: ${(error as Error).message}`, { cause: error });
    }
    removeLeftovers(options.configDir, isProcessAlive);
    if (!existed && !exists(noticePath)) {
      warn(`tokens are stored in a plain file, ${path} (mode 0600): no OS keyring is available`);
      // Remembered beside the file, so signing out and in again does not repeat the notice.
      try {
        writeFileSync(noticePath, '', { mode: 0o600 });
      } catch {
        // Only the notice would repeat.
      }
    }
  }

  return {
    kind: 'file',
    location: path,
    async read(profile) {
      return load().profiles[profile] ?? null;
    },
    async write(profile, tokens) {
      const file = load();
      file.profiles[profile] = tokens;
      await save(file);
    },
    async delete(profile) {
      const file = load();
      if (file.profiles[profile] === undefined) return false;
      delete file.profiles[profile];
      if (Object.keys(file.profiles).length === 0) {
        try {
          unlinkSync(path);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
            throw new MlaasError('STORAGE_ERROR', `cannot delete ${path}`, { cause: error });
        }
      } else {
        await save(file);
      }
      return true;
    },
  };
}

/** Marks that the plain-file notice was shown for this config directory. */
const PLAIN_FILE_NOTICE = '.plain-file-notice-shown';

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Temp files of writers that were killed mid-write (`.credentials.json.<pid>.<random>.tmp`). */
function removeLeftovers(dir: string, isProcessAlive: (pid: number) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const pattern = new RegExp(`^\\.${CREDENTIALS_FILE.replace('.', '\\.')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid)) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        // someone else removed it
      }
    }
  }
}
