#!/usr/bin/env node
// Writes src/sdk/_contract-schemas.ts: the API contract's response schemas as plain data,
// so the CLI checks responses against the contract without loading the schema library at run time.
// Run after changing packages/contract (a test fails while the file is out of date):
//   npm run build && npm run generate:schemas -w mlaas
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderContractSchemas } from './contract-schemas.mjs';

const target = resolve(import.meta.dirname, '..', 'src', 'sdk', '_contract-schemas.ts');
writeFileSync(target, await renderContractSchemas());
console.error(`wrote ${target}`);
