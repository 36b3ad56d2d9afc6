/**
 * @module delivery/run-child
 * Runs a command with extra environment variables the way a shell would: stdio shared, the signals this
 * process receives passed on, and the shell's exit statuses (127 not found, 126 not executable, 128+N when
 * killed by signal N).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Signals passed on to the child (SIGKILL and SIGSTOP cannot be caught). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
];

/** Exit status of a command that could not be found, as shells report it. */
export const EXIT_NOT_FOUND = 127;
/** Exit status of a command that was found but could not be run. */
export const EXIT_NOT_EXECUTABLE = 126;

/** How the child ended. */
export interface ChildOutcome {
  /** The exit status to pass on. */
  status: number;
  /** Why the child never started (not found, not executable), for the error message. */
  startError?: string;
}

/** What {@link runChild} needs from the process it runs in (injected by tests). */
export interface ChildHost {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/**
 * Runs `command args…` and resolves how it ended.
 *
 * @example
 * ```ts
 * const { status } = await runChild('python3', ['train.py'], { ...process.env, MLAAS_X_API_KEY: key });
 * ```
 */
export function runChild(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  host: ChildHost = process,
): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: 'inherit' });
    const forwarders = FORWARDED_SIGNALS.map((signal) => {
      const forward = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      };
      host.on(signal, forward);
      return [signal, forward] as const;
    });
    let settled = false;
    const finish = (outcome: ChildOutcome) => {
      if (settled) return;
      settled = true;
      for (const [signal, forward] of forwarders) host.off(signal, forward);
      resolve(outcome);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') finish({ status: EXIT_NOT_FOUND, startError: `command not found: ${command}` });
      else if (error.code === 'EACCES')
        finish({ status: EXIT_NOT_EXECUTABLE, startError: `permission denied: ${command}` });
      else finish({ status: EXIT_NOT_EXECUTABLE, startError: `cannot run ${command}: ${error.message}` });
    });
    child.once('close', (code, signal) => {
      if (signal !== null) finish({ status: 128 + (constants.signals[signal] ?? 0) });
      else finish({ status: code ?? 1 });
    });
  });
}
