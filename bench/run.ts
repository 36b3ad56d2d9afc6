/**
 * @module bench/run
 * Runs every benchmark, one after the other (`npm run bench`); arguments are passed to each. Needs the
 * workspace built (`npm run build`); a benchmark builds it when the helper's dist is missing.
 */
import { main as entitlements } from './entitlements.js';
import { main as keyLifecycle } from './key-lifecycle.js';
import { main as listServices } from './list-services.js';
import { main as mixedLoad } from './mixed-load.js';
import { main as threescaleKeyLifecycle } from './threescale-key-lifecycle.js';
import { main as threescaleList } from './threescale-list.js';
import { main as threescaleReconcile } from './threescale-reconcile.js';
import { main as webPage } from './web-page.js';

/** The benchmarks, in the order they run. */
const BENCHES: ReadonlyArray<{ name: string; main: (argv: string[]) => Promise<void> }> = [
  { name: 'list-services', main: listServices },
  { name: 'threescale-list', main: threescaleList },
  { name: 'mixed-load', main: mixedLoad },
  { name: 'key-lifecycle', main: keyLifecycle },
  { name: 'web-page', main: webPage },
  { name: 'entitlements', main: entitlements },
  { name: 'threescale-key-lifecycle', main: threescaleKeyLifecycle },
  { name: 'threescale-reconcile', main: threescaleReconcile },
];

for (const bench of BENCHES) {
  process.stderr.write(`bench: ${bench.name}\n`);
  try {
    await bench.main(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${bench.name} failed:`, error);
    process.exitCode = 1;
  }
}
