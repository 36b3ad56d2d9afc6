/**
 * @module test/version
 * `mlaas --version` answers from a constant; it must match package.json.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { CLI_VERSION } from '../src/version.js';
import { ROOT } from './support/stack.js';

it('CLI_VERSION equals the package version', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'packages', 'cli', 'package.json'), 'utf8')) as { version: string };
  assert.equal(CLI_VERSION, pkg.version);
});
