/**
 * @module test/support/tmux
 * A real pseudo-terminal for tests: runs a command in a detached tmux session on a private socket, types
 * into it and reads the screen.
 */
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Terminal {
  /** The visible screen (and scrollback), as text. */
  screen(): Promise<string>;
  /** Waits until the screen matches (checking every 100 ms, up to `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Types text literally. */
  type(text: string): Promise<void>;
  /** Sends named keys (Enter, C-c, ...). */
  press(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Whether tmux is installed. */
export async function hasTmux(): Promise<boolean> {
  try {
    await run('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}

/** Shell-quotes a word for the command line tmux runs. */
export function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Starts `command` (a shell command line) in a new 160×50 terminal; after it ends, the terminal shows
 * `[exit N]` and stays open for reading.
 */
export async function openTerminal(command: string): Promise<Terminal> {
  const socket = `mlaas-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args]);
  await tmux('new-session', '-d', '-s', 'main', '-x', '160', '-y', '50', `${command}; echo "[exit $?]"; sleep 300`);
  const screen = async () => (await tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'main')).stdout;
  return {
    screen,
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await screen();
        if (pattern.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; screen:\n${text}`);
        await sleep(100);
      }
    },
    async type(text) {
      await tmux('send-keys', '-t', 'main', '-l', text);
    },
    async press(...keys) {
      await tmux('send-keys', '-t', 'main', ...keys);
    },
    async close() {
      await tmux('kill-server').catch(() => undefined);
    },
  };
}
