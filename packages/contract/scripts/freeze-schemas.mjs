#!/usr/bin/env node
// Rewrites the built schema modules (dist/schemas/*.js) as plain data: the same JSON Schemas, without
// loading TypeBox (some 370 modules) in every process that imports the contract. Run after `tsc` by the
// build (scripts/prepare.mjs after-build); a dist that was not frozen works the same, only loads slower.
// Idempotent: freezing frozen modules writes the same files. Fails, leaving the files as they were, when an
// export is not plain JSON data (or the one known function, successEnvelope).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';

const DIR = new URL('../dist/schemas/', import.meta.url);
// Every schema module: one added later is frozen too.
const FILES = existsSync(DIR) ? readdirSync(DIR).filter((name) => name.endsWith('.js')) : [];
if (FILES.length === 0)
  throw new Error(`freeze-schemas: no schema modules in ${DIR.pathname}; build the contract first`);
const DATA = { __frozen_data__: true };
const ID = '__frozen_id__';

/** The source of each module, computed for all before any is written. */
const sources = [];
for (const file of FILES) {
  const url = new URL(file, DIR);
  if (!existsSync(url)) throw new Error(`freeze-schemas: ${url.pathname} is missing; build the contract first`);
  const mod = await import(url.href);
  const lines = [
    '// Frozen by packages/contract/scripts/freeze-schemas.mjs from the TypeBox build of this module: plain data.',
  ];
  for (const [name, value] of Object.entries(mod)) {
    if (name === 'successEnvelope' && typeof value === 'function') {
      // TypeBox's own output for a marker, with the marker turned back into the arguments.
      const template = JSON.stringify(value(DATA, ID));
      const body = template.replace(JSON.stringify(DATA), 'data').replace(JSON.stringify(ID), 'id');
      assert.ok(!body.includes('__frozen_'), 'successEnvelope: the arguments appear once each');
      lines.push(`export function successEnvelope(data, id) {\n  return ${body};\n}`);
      continue;
    }
    const json = JSON.stringify(value);
    assert.ok(json !== undefined, `${file}: ${name} is not JSON data`);
    assert.deepStrictEqual(JSON.parse(json), value, `${file}: ${name} does not survive JSON`);
    lines.push(`export const ${name} = ${json};`);
  }
  sources.push([new URL(file, DIR), `${lines.join('\n')}\n`]);
}
for (const [url, source] of sources) writeFileSync(url, source);
