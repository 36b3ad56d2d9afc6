/**
 * @module bench/lib/child-server
 * Runs a server under test as a child process on loopback: picks a free port, waits until it answers, reads
 * its peak resident memory from /proc, and stops it with SIGTERM (SIGKILL if it does not go).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { findFreePort as findFreePortOn } from '../../packages/helper/src/idp/listen-address.js';

/** Loopback only: the benchmark never listens on or calls anything else. */
export const BENCH_HOST = '127.0.0.1';
/** How long a child may take to answer its readiness URL. */
export const DEFAULT_READY_TIMEOUT_MS = 15_000;
/** Pause between readiness probes. */
const READY_POLL_MS = 100;
/** How long a child may take to exit after SIGTERM before it is killed. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on the Linux ABIs Node supports). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ChildServerOptions {
  /** Short name, used to prefix the child's output on stderr. */
  name: string;
  /** Arguments of `node` (flags, then the script). */
  nodeArgs: string[];
  /** Environment of the child, on top of PATH and HOME. */
  env: Record<string, string>;
  /** The port the child was told to listen on. */
  port: number;
  /** Path answered with a 2xx once the child is ready, e.g. `/api/ready`. */
  readyPath: string;
  readyTimeoutMs?: number;
  cwd?: string;
}

/** CPU time in user space and in the kernel (system calls, and the network work done on the process's behalf). */
export interface CpuTimes {
  userSeconds: number;
  systemSeconds: number;
}

export interface ChildServer {
  name: string;
  pid: number;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** Current and peak resident set of the child, in bytes (null where /proc is not available). */
  memory(): { rssBytes: number | null; peakRssBytes: number | null };
  /** CPU time the child has used so far (all threads), in seconds, in user space and in the kernel; null without /proc. */
  cpuTimes(): CpuTimes | null;
  /** SIGTERM, then SIGKILL after a timeout; resolves with the exit code (null when killed by a signal). */
  stop(timeoutMs?: number): Promise<number | null>;
}

/**
 * Asks the kernel for a free loopback port (the helper's `findFreePort` on `BENCH_HOST`). Another process
 * could take it before the child binds it; on a benchmark machine that race is not worth more machinery.
 * @example const port = await findFreePort();
 */
export function findFreePort(): Promise<number> {
  return findFreePortOn(BENCH_HOST);
}

/**
 * Starts `node <nodeArgs>` and resolves once `readyPath` answers 2xx.
 * @example const helper = await startChildServer({ name: 'helper', nodeArgs: [bin], env, port, readyPath: '/api/ready' });
 */
export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const child = spawn(process.execPath, options.nodeArgs, {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The child's logs go to our stderr so that stdout carries only the report.
  prefixLines(child, options.name);
  if (child.pid === undefined) throw new Error(`${options.name}: could not start`);
  const pid = child.pid;
  const baseUrl = `http://${BENCH_HOST}:${options.port}`;

  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
  });

  const server: ChildServer = {
    name: options.name,
    pid,
    baseUrl,
    memory: () => ({ rssBytes: readProcStatusBytes(pid, 'VmRSS'), peakRssBytes: readProcStatusBytes(pid, 'VmHWM') }),
    cpuTimes: () => readProcCpuTimes(pid),
    async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  try {
    await waitUntilReady(
      `${baseUrl}${options.readyPath}`,
      options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      () => exitCode !== undefined,
    );
  } catch (error) {
    await server.stop();
    throw new Error(`${options.name}: ${(error as Error).message}`, { cause: error });
  }
  return server;
}

async function waitUntilReady(url: string, timeoutMs: number, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer';
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error('exited before it was ready (see its output above)');
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`not ready after ${timeoutMs} ms at ${url} (${lastProblem})`);
}

/**
 * A field of /proc/<pid>/status in bytes: VmRSS is the resident set now, VmHWM its high-water mark (peak).
 * See proc(5).
 */
function readProcStatusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match === null ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15, counted after the parenthesised name). See proc(5). */
function readProcCpuTimes(pid: number): CpuTimes | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [user, system] = [Number(fields[11]), Number(fields[12])];
    return Number.isFinite(user) && Number.isFinite(system)
      ? { userSeconds: user / CLOCK_TICKS_PER_SECOND, systemSeconds: system / CLOCK_TICKS_PER_SECOND }
      : null;
  } catch {
    return null;
  }
}

function prefixLines(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stderr.write(`[${name}] ${line}\n`);
    });
    stream?.on('end', () => {
      if (pending !== '') process.stderr.write(`[${name}] ${pending}\n`);
    });
  }
}
