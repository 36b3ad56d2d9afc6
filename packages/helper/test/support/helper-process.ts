/**
 * @module test/support/helper-process
 * A helper running as its own process (as a replica would), from source, on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../src/bin/mlaas-helper.ts');

export interface HelperProcess {
  url: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `mlaas-helper` with `env` (plus PATH) and resolves once it listens. */
export async function startHelperProcess(env: Record<string, string>): Promise<HelperProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', BIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(output);
      if (match) done(match[1] as string);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    void exited.then((code) => fail(new Error(`mlaas-helper exited (${code}) before listening:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
