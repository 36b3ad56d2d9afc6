#!/usr/bin/env node
/**
 * @module bin/fake-3scale
 * The `fake-3scale` command: serves a fake 3scale Admin API on loopback and prints one JSON line,
 * `{"url":"http://127.0.0.1:N","access_token":"…"}`, on stdout when ready; messages go to stderr.
 * SIGTERM/SIGINT close it. Exit codes: 0 stopped, 1 could not start, 2 usage error.
 */
import { createFake3scale } from '../create-fake-3scale.js';
import { isFake3scaleError } from '../errors.js';
import { defaultSeed, loadSeedFile } from '../seed/load-seed.js';

const USAGE = `Usage: fake-3scale [--port N] [--seed FILE] [--token T] [--generated-services N] [--help]

Serves a fake 3scale Account Management API on 127.0.0.1 and prints
{"url":"http://127.0.0.1:N","access_token":"..."} on stdout when ready.

  --port N                 port to listen on (default 0: any free port)
  --seed FILE              JSON seed (default: the package's seed/default-seed.json)
  --token T                admin access token (default: random)
  --generated-services N   add N generated products to the seed (pagination, benchmarks)
  --help                   show this help

Control API (no auth): GET /__fake/stats, GET|POST /__fake/faults, POST /__fake/latency,
POST /__fake/reset, GET /__fake/state, GET /__fake/requests.`;

class UsageError extends Error {}

interface Args {
  port: number;
  seedFile: string | undefined;
  token: string | undefined;
  generated: number | undefined;
  help: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { port: 0, seedFile: undefined, token: undefined, generated: undefined, help: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const whole = (name: string, v: string, max: number): number => {
      if (!/^\d+$/.test(v) || Number(v) > max)
        throw new UsageError(`${name} must be a whole number from 0 to ${max}, got "${v}"`);
      return Number(v);
    };
    switch (flag) {
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--port':
        args.port = whole('--port', value(), 65_535);
        break;
      case '--seed':
        args.seedFile = value();
        break;
      case '--token':
        args.token = value();
        break;
      case '--generated-services':
        args.generated = whole('--generated-services', value(), 100_000);
        break;
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  return args;
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fake-3scale: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const seed = args.seedFile === undefined ? defaultSeed() : loadSeedFile(args.seedFile);
  if (args.generated !== undefined) seed.generated_services = (seed.generated_services ?? 0) + args.generated;
  const fake = createFake3scale({ seed, ...(args.token === undefined ? {} : { accessToken: args.token }) });
  const url = await fake.listen(args.port);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`fake-3scale: ${signal}, closing\n`);
    fake.close().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        process.stderr.write(`fake-3scale: error while closing: ${(error as Error).message}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`${JSON.stringify({ url, access_token: fake.accessToken })}\n`);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    const message = isFake3scaleError(error) ? error.message : ((error as Error)?.message ?? String(error));
    process.stderr.write(`fake-3scale: cannot start: ${message}\n`);
    process.exitCode = 1;
  },
);
