/**
 * @module test/bin/frozen-contract
 * The built contract's schema modules are plain data (frozen after the build), so a helper starting in
 * production never loads TypeBox: a schema module added later must be frozen too.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const DIR = new URL('../../../contract/dist/schemas/', import.meta.url);

describe('the built contract', () => {
  it('has every schema module frozen to plain data, none importing TypeBox', () => {
    const modules = readdirSync(DIR).filter((name) => name.endsWith('.js'));
    assert.ok(modules.length >= 5, `schema modules found: ${modules.join(', ')}`);
    for (const name of modules) {
      const source = readFileSync(new URL(name, DIR), 'utf8');
      assert.doesNotMatch(source, /from ['"]typebox/, `${name} still imports TypeBox`);
      assert.match(source, /^\/\/ Frozen by /, `${name} is not frozen`);
    }
  });
});
