/**
 * @module test/support/redis-server
 * A real Redis (Debian's redis-server) on a free loopback port, with no persistence, that a test can stop and
 * start again on the same port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { findFreePort } from '../../src/idp/listen-address.js';

export interface TestRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const REDIS_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** Whether redis-server can be run here. In CI its absence is a failure, not a skip. */
export function hasRedis(): boolean {
  return spawnSync(REDIS_BIN, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The reason to skip Redis tests locally, or undefined to run them (always run in CI). */
export function redisSkipReason(): string | undefined {
  if (hasRedis() || process.env.CI) return undefined;
  return 'redis-server is not installed (apt-get install redis-server)';
}

/** Starts redis-server; resolves once it accepts commands. */
export async function startRedis(): Promise<TestRedis> {
  const port = await findFreePort('127.0.0.1');
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    child = spawn(
      REDIS_BIN,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (output.includes('Ready to accept connections')) resolve();
      };
      child?.stdout?.on('data', onData);
      child?.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      const running = child;
      if (running === null || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
      child = null;
    },
  };
}
