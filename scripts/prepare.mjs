// Makes a checkout ready to run: installs dependencies when they are missing or older than the lockfile, builds
// when any package's build output is missing or older than its sources, and links the workspace commands
// (`mlaas`, `mlaas-helper`, `fake-3scale`) into node_modules/.bin. `npm start` and `npm test` call it first, so a
// fresh clone needs no other command; when nothing changed it only compares file times.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  unlinkSync,
  lstatSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = resolve(import.meta.dirname, '..');

/** The packages `npm run build` compiles, in the order their outputs are checked. */
const BUILT = ['contract', 'helper', 'cli', 'fake-3scale'];
/** Files next to the sources whose change also calls for a build. */
const BUILD_INPUTS = ['tsconfig.json', 'package.json'];
/** Written after every successful build: its time is the build's time, even when tsc left an output unchanged. */
const STAMP = '.build-stamp';

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function run(command, args, what) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.error(`${what} failed; fix the errors above and run the command again.`);
    process.exit(result.status ?? 1);
  }
}

/** True when node_modules is missing or older than package-lock.json (a pull changed the dependencies). */
export function needsInstall() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(ROOT, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

/** The built packages whose output is missing or older than their sources. */
export function stalePackages() {
  const baseConfig = newestMtime(join(ROOT, 'tsconfig.base.json'));
  return BUILT.filter((name) => {
    const dir = join(ROOT, 'packages', name);
    const stamp = join(dir, 'dist', STAMP);
    if (!existsSync(stamp)) return true;
    const inputs = Math.max(
      baseConfig,
      newestMtime(join(dir, 'src')),
      ...BUILD_INPUTS.map((f) => newestMtime(join(dir, f))),
    );
    return inputs > statSync(stamp).mtimeMs;
  });
}

/** Marks every built package as built now (called after `npm run build`). */
export function stampBuild() {
  for (const name of BUILT) {
    const dist = join(ROOT, 'packages', name, 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, STAMP), `${new Date().toISOString()}\n`);
  }
}

/**
 * Links every workspace command into node_modules/.bin and makes it executable. npm links a workspace's bin
 * only when its target exists at install time, and on a fresh clone `npm ci` runs before the first build.
 */
export function linkBins() {
  const binDir = join(ROOT, 'node_modules', '.bin');
  if (!existsSync(join(ROOT, 'node_modules'))) return;
  mkdirSync(binDir, { recursive: true });
  for (const name of readdirSync(join(ROOT, 'packages'))) {
    const dir = join(ROOT, 'packages', name);
    const manifestPath = join(dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    for (const [command, target] of Object.entries(manifest.bin ?? {})) {
      const file = join(dir, target);
      if (!existsSync(file)) continue;
      chmodSync(file, 0o755);
      const link = join(binDir, command);
      const wanted = relative(binDir, file);
      try {
        lstatSync(link);
        unlinkSync(link);
      } catch {
        // No link yet.
      }
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(wanted, link);
    }
  }
}

/** Installs and builds what is missing or out of date; quiet and quick when everything is current. */
export function prepare(log = (line) => console.error(line)) {
  if (needsInstall()) {
    log('Installing dependencies (npm ci)…');
    run('npm', ['ci', '--no-audit', '--no-fund'], 'Installing dependencies');
  }
  const stale = stalePackages();
  if (stale.length > 0) {
    log(`Building (${stale.join(', ')} changed since the last build)…`);
    run('npm', ['run', 'build'], 'The build');
  } else if (!existsSync(join(ROOT, 'node_modules', '.bin', 'mlaas'))) {
    // Built before this install (npm ci links a workspace's command only when its target exists).
    linkBins();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const command = process.argv[2];
  if (command === 'after-build') {
    // The contract's schemas as plain data: processes that import it need not load TypeBox.
    run(
      process.execPath,
      [join('packages', 'contract', 'scripts', 'freeze-schemas.mjs')],
      'Freezing the contract schemas',
    );
    stampBuild();
    linkBins();
  } else {
    prepare();
  }
}
