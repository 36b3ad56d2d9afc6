/**
 * @module test/sdk/contract-schemas
 * The CLI checks responses with the contract's schemas as plain data: the generated file must equal what
 * the contract package defines now, and the small checker must judge like the schema library does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ErrorEnvelope, InitResponse, ServicesResponse } from '@mlaas/contract';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import {
  ANNOTATION_KEYWORDS,
  SUPPORTED_KEYWORDS,
  findSchemaProblem,
  type JsonSchema,
} from '../../src/sdk/schema-check.js';
import * as generated from '../../src/sdk/_contract-schemas.js';
import { ROOT } from '../support/stack.js';

const PACKAGE = join(ROOT, 'packages', 'cli');

function keywordsOf(schema: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) keywordsOf(item, found);
  else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      found.add(key);
      if (key === 'properties') for (const sub of Object.values(value as object)) keywordsOf(sub, found);
      else keywordsOf(value, found);
    }
  }
  return found;
}

const service = {
  id: 'sentiment-analysis',
  name: 'Sentiment Analysis',
  description: 'Classifies sentiment.',
  proxy_endpoint: 'https://gw.example.org/sentiment',
  authentication_method: 'api_key',
  credentials: { location: 'header', key_parameter: 'X-API-Key', app_id_parameter: null },
  has_api_key: true,
  api_key_preview: 'mlaas_…abcd',
};
const services = {
  status: 'success',
  data: { services: [service], user: { soeid: 'AL1', email: null }, account_id: null },
};
const init = {
  status: 'success',
  data: {
    api_key: 'k',
    app_id: null,
    service: {
      id: 'a',
      name: 'A',
      proxy_endpoint: null,
      authentication_method: 'api_key',
      credentials: service.credentials,
    },
    plan: { id: 'p', name: 'P' },
    is_new: true,
    account_id: '1',
  },
};
const error = { status: 'error', error: { code: 'SERVICE_NOT_FOUND', message: 'no', request_id: 'r' } };

describe('contract schemas in the CLI', () => {
  it('are up to date with @mlaas/contract (regenerate: npm run generate:schemas -w mlaas)', async () => {
    const { renderContractSchemas } = (await import(join(PACKAGE, 'scripts', 'contract-schemas.mjs'))) as {
      renderContractSchemas(): Promise<string>;
    };
    const current = readFileSync(join(PACKAGE, 'src', 'sdk', '_contract-schemas.ts'), 'utf8');
    assert.equal(current, await renderContractSchemas());
  });

  it('use only keywords the checker understands', () => {
    for (const schema of [
      generated.HEALTH_RESPONSE,
      generated.SERVICES_RESPONSE,
      generated.INIT_RESPONSE,
      generated.ERROR_ENVELOPE,
    ]) {
      for (const keyword of keywordsOf(schema)) {
        assert.ok(
          SUPPORTED_KEYWORDS.has(keyword) || ANNOTATION_KEYWORDS.has(keyword),
          `unsupported keyword ${keyword}`,
        );
      }
    }
  });

  const cases: [string, JsonSchema, TSchema, unknown][] = [
    ['services list', generated.SERVICES_RESPONSE, ServicesResponse, services],
    [
      'services list, key exposed',
      generated.SERVICES_RESPONSE,
      ServicesResponse,
      { ...services, data: { ...services.data, services: [{ ...service, api_key: 'k' }] } },
    ],
    [
      'services list, extra field',
      generated.SERVICES_RESPONSE,
      ServicesResponse,
      { ...services, data: { ...services.data, extra: 1 } },
    ],
    [
      'services list, wrong type',
      generated.SERVICES_RESPONSE,
      ServicesResponse,
      { ...services, data: { ...services.data, account_id: 5 } },
    ],
    [
      'services list, unknown auth method',
      generated.SERVICES_RESPONSE,
      ServicesResponse,
      { ...services, data: { ...services.data, services: [{ ...service, authentication_method: 'magic' }] } },
    ],
    [
      'services list, missing credentials',
      generated.SERVICES_RESPONSE,
      ServicesResponse,
      { ...services, data: { ...services.data, services: [{ ...service, credentials: undefined }] } },
    ],
    ['init', generated.INIT_RESPONSE, InitResponse, init],
    ['init, app id', generated.INIT_RESPONSE, InitResponse, { ...init, data: { ...init.data, app_id: 'app' } }],
    [
      'init, is_new as string',
      generated.INIT_RESPONSE,
      InitResponse,
      { ...init, data: { ...init.data, is_new: 'yes' } },
    ],
    ['init, error status', generated.INIT_RESPONSE, InitResponse, { ...init, status: 'error' }],
    ['error', generated.ERROR_ENVELOPE, ErrorEnvelope, error],
    [
      'error, unknown code',
      generated.ERROR_ENVELOPE,
      ErrorEnvelope,
      { ...error, error: { ...error.error, code: 'NOPE' } },
    ],
    [
      'error, details',
      generated.ERROR_ENVELOPE,
      ErrorEnvelope,
      { ...error, error: { ...error.error, details: [{ field: 'x', problem: 'y' }] } },
    ],
    [
      'error, bad details',
      generated.ERROR_ENVELOPE,
      ErrorEnvelope,
      { ...error, error: { ...error.error, details: [{ field: 1 }] } },
    ],
    ['not an object', generated.ERROR_ENVELOPE, ErrorEnvelope, 'error'],
  ];
  const VALID = new Set([
    'services list',
    'services list, key exposed',
    'init',
    'init, app id',
    'error',
    'error, details',
  ]);
  for (const [name, schema, original, value] of cases) {
    it(`judges like the schema library: ${name}`, () => {
      const clean = JSON.parse(JSON.stringify(value)) as unknown;
      assert.equal(findSchemaProblem(schema, clean) === null, Value.Check(original, clean));
      assert.equal(Value.Check(original, clean), VALID.has(name), 'the fixture is what its name says');
    });
  }

  it('names where a response breaks the contract', () => {
    const broken = JSON.parse(
      JSON.stringify({ ...services, data: { ...services.data, services: [{ ...service, has_api_key: 'no' }] } }),
    ) as unknown;
    assert.equal(
      findSchemaProblem(generated.SERVICES_RESPONSE, broken),
      '/data/services/0/has_api_key: must be a boolean',
    );
  });
});
