#!/usr/bin/env node
// Runs every *.test.ts under packages/*/test (or the paths given) with node's test runner and tsx.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepare } from './prepare.mjs';

const root = resolve(import.meta.dirname, '..');

// A fresh clone or changed sources: install and build first, so `npm test` is the only command a newcomer needs
// (the tests run the built helper, CLI and fake 3scale as their users do).
prepare();

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'node_modules' || entry === 'dist') continue;
      collect(join(path, entry), out);
    }
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

// Suites that need more than this machine: run by their own scripts (and by .ci/run as separate steps).
// packages/keycloak-tests fetches and starts a real Keycloak (~180 MB once): `npm run test:keycloak`.
const OWN_SCRIPT = new Set(['keycloak-tests']);

const args = process.argv.slice(2);
const roots =
  args.length > 0
    ? args
    : readdirSync(join(root, 'packages'))
        .filter((p) => !OWN_SCRIPT.has(p))
        .map((p) => join(root, 'packages', p, 'test'));
const files = roots.flatMap((p) => {
  try {
    return collect(resolve(p), []);
  } catch {
    return [];
  }
});
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, NODE_ENV: 'test' },
});
process.exit(result.status ?? 1);
