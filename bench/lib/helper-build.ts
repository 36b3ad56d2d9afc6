/**
 * @module bench/lib/helper-build
 * Where the built helper is, and making sure it exists before a benchmark starts it: builds the workspace
 * when its entry point is missing, and warns when the sources changed after the last build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HELPER_DIR = join(ROOT, 'packages', 'helper');
/** The built helper's entry point, started as a child process by the benchmarks. */
export const HELPER_BIN = join(HELPER_DIR, 'dist', 'bin', 'mlaas-helper.js');

/**
 * Runs `npm run build` when the helper's dist is missing; warns through `progress` when it is older than its
 * sources. Throws when the build fails.
 * @example ensureHelperBuilt((message) => process.stderr.write(`my-bench: ${message}\n`));
 */
export function ensureHelperBuilt(progress: (message: string) => void): void {
  if (!existsSync(HELPER_BIN)) {
    progress(`${HELPER_BIN} is missing; running npm run build`);
    const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
    if (result.status !== 0 || !existsSync(HELPER_BIN))
      throw new Error('npm run build failed; the helper cannot be benchmarked');
    return;
  }
  // Compared file by file: tsc -b leaves an output untouched when its source did not change.
  const srcDir = join(HELPER_DIR, 'src');
  const distDir = join(HELPER_DIR, 'dist');
  const stale = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).some((file) => {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) return false;
    const built = join(distDir, file.replace(/\.ts$/, '.js'));
    return !existsSync(built) || statSync(join(srcDir, file)).mtimeMs > statSync(built).mtimeMs;
  });
  if (stale)
    progress(
      'warning: packages/helper/src changed after the last build; run npm run build to measure the current code',
    );
}
