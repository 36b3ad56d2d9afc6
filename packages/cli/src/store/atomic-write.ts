/**
 * @module store/atomic-write
 * Replaces a file so that readers see the old or the new content, never a part: write a temp file in the
 * same directory (mode set at creation), fsync it, rename it over the target, fsync the directory.
 * Kept instead of write-file-atomic: it also fsyncs the directory and names temp files by pid (so a killed writer's leftovers can be told apart and removed), and loads in +3 ms CPU against +8.6 ms (bench/cli-module-load.sh).
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * Atomically replaces `path` with `content`, creating it with `mode`.
 *
 * @example
 * ```ts
 * writeFileAtomic('/home/me/.config/mlaas/credentials.json', JSON.stringify(data), 0o600);
 * ```
 */
export function writeFileAtomic(path: string, content: string, mode: number): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // 'wx': never follow or reuse an existing file; the mode applies because the file is new.
  const fd = openSync(temp, 'wx', mode);
  try {
    const bytes = Buffer.from(content, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkQuietly(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
  syncDirectory(dir);
}

function syncDirectory(dir: string): void {
  // Makes the rename itself durable; not possible on every platform (Windows), so best effort.
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // ignore
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
