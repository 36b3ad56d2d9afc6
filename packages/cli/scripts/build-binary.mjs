#!/usr/bin/env node
// Builds the single-file executable dist/mlaas with Node's single executable application support (SEA):
//   1. esbuild bundles src/bin/mlaas.ts and everything it imports into one CommonJS file (SEA runs CJS only);
//   2. node --experimental-sea-config turns it into a blob;
//   3. a copy of this node binary gets the blob injected with postject.
// Defaults baked into the binary come from MLAAS_BUILD_KEYCLOAK_URL, MLAAS_BUILD_KEYCLOAK_REALM,
// MLAAS_BUILD_KEYCLOAK_CLIENT_ID and MLAAS_BUILD_HELPER_URL (unset: the embedded stack on 127.0.0.1:5000).
// The OS keyring addon is not bundled: the binary keeps tokens in the 0600 credentials file.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { createRequire } from 'node:module';

const SENTINEL_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const packageDir = resolve(import.meta.dirname, '..');
const outDir = join(packageDir, 'dist', 'sea');
const binary = join(packageDir, 'dist', process.platform === 'win32' ? 'mlaas.exe' : 'mlaas');
const bundle = join(outDir, 'mlaas.cjs');
const blob = join(outDir, 'sea-prep.blob');
const seaConfig = join(outDir, 'sea-config.json');

const baked = {
  __MLAAS_DEFAULT_KEYCLOAK_URL__: process.env.MLAAS_BUILD_KEYCLOAK_URL,
  __MLAAS_DEFAULT_KEYCLOAK_REALM__: process.env.MLAAS_BUILD_KEYCLOAK_REALM,
  __MLAAS_DEFAULT_KEYCLOAK_CLIENT_ID__: process.env.MLAAS_BUILD_KEYCLOAK_CLIENT_ID,
  __MLAAS_DEFAULT_HELPER_URL__: process.env.MLAAS_BUILD_HELPER_URL,
};
const define = Object.fromEntries(
  Object.entries(baked)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => [name, JSON.stringify(value)]),
);

function step(message) {
  console.error(`build-binary: ${message}`);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

step('bundling with esbuild');
const result = await build({
  entryPoints: [join(packageDir, 'src', 'bin', 'mlaas.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  // The keyring is a native addon: it cannot live inside the blob, and the file store works everywhere.
  external: ['@napi-rs/keyring'],
  // ESM sources read import.meta.url; in a CommonJS bundle it comes from the file name.
  define: { ...define, 'import.meta.url': '__mlaasImportMetaUrl' },
  banner: { js: "var __mlaasImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
  plugins: [
    {
      // src/cli/_commander.ts loads commander with require() at run time, which a bundle cannot follow.
      name: 'static-commander',
      setup(b) {
        b.onLoad({ filter: /[\\/]cli[\\/]_commander\.ts$/ }, () => ({
          contents: "import * as commander from 'commander'; export { commander };",
          loader: 'ts',
          resolveDir: join(packageDir, 'src', 'cli'),
        }));
      },
    },
  ],
});
if (result.errors.length > 0) process.exit(1);

step('making the SEA blob');
// The code cache (V8's compiled bundle, made by this same node) spares every start compiling the bundle:
// about 5 ms of CPU per start of `mlaas usage SERVICE --json` here (bench/README.md, "CLI startup").
writeFileSync(
  seaConfig,
  JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }, null, 2),
);
const sea = spawnSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });
if (sea.status !== 0) process.exit(sea.status ?? 1);

step(`copying ${process.execPath}`);
rmSync(binary, { force: true });
copyFileSync(process.execPath, binary);
chmodSync(binary, 0o755);
if (process.platform === 'darwin') spawnSync('codesign', ['--remove-signature', binary], { stdio: 'inherit' });

step('injecting the blob with postject');
// postject's command line (as `npx postject` runs it), with the harmless LIEF notes about ELF section names
// filtered out of its output.
const postjectCli = join(dirname(createRequire(import.meta.url).resolve('postject')), 'cli.js');
const injected = spawnSync(
  process.execPath,
  [
    postjectCli,
    binary,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    SENTINEL_FUSE,
    ...(process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : []),
  ],
  { encoding: 'utf8' },
);
const noise = /^warning: Can't find string offset for section name/;
for (const line of `${injected.stdout}${injected.stderr}`.split('\n'))
  if (line.trim() !== '' && !noise.test(line)) console.error(line);
if (injected.status !== 0) process.exit(injected.status ?? 1);
if (process.platform === 'darwin') spawnSync('codesign', ['--sign', '-', binary], { stdio: 'inherit' });

step(`done: ${binary}`);
