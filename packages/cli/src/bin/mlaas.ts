#!/usr/bin/env node
/**
 * @module bin/mlaas
 * The `mlaas` (and `mlaas-cli`) executable. `--version` is answered before anything else is loaded.
 * (No top-level await: the single-file binary is a CommonJS bundle of this file.)
 */
import { CLI_VERSION } from '../version.js';

// `mlaas services list | head -1`: a reader that stops early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${CLI_VERSION}\n`);
} else {
  void Promise.all([import('../main.js'), import('../cli/io.js')]).then(async ([{ main }, { processIo }]) => {
    const code = await main(argv, processIo());
    process.exitCode = code;
    // Anything still pending (a keyring call that never answered) must not keep the process alive.
    setTimeout(() => process.exit(code), 2_000).unref();
  });
}
