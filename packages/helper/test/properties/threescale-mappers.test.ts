/**
 * Properties of the 3scale response mappers: any JSON 3scale (or the fake, with its malformed-body fault)
 * can send either maps to well-formed domain values or fails with UPSTREAM_ERROR — never an untyped
 * exception that would surface as a bare 500. Arbitrary JSON is mixed with bodies shaped like 3scale's,
 * whose fields take any JSON value, so the mappers' deeper paths are reached too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  authenticationOf,
  credentialsOf,
  firstKey,
  needsKeys,
  toAccount,
  toApplication,
  toPlan,
  toService,
  unwrapCollection,
  unwrapEntity,
} from '../../src/apim/threescale/mappers.js';
import { isHelperError } from '../../src/errors/helper-error.js';

type Json = Record<string, unknown>;

/** JSON as it arrives: parsed from text, so plain objects only (never a null prototype). */
const asParsed = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const anyJson = fc.jsonValue({ maxDepth: 4 }).map(asParsed);

const idLike = fc.oneof(
  fc.nat(),
  fc.nat().map(String),
  fc.constantFrom(-1, 1.5, 2 ** 53, '', '12a', '0x1f', ' 7', '123456789012345678901', null, true),
  anyJson,
);
const textLike = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), anyJson);
/** An object with some of `fields`, each holding a value of its kind or any JSON at all. */
function entity(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Json> {
  return fc.record(fields, { requiredKeys: [] }).map(asParsed) as fc.Arbitrary<Json>;
}

const serviceJson = entity({
  id: idLike,
  name: textLike,
  system_name: textLike,
  description: textLike,
  backend_version: fc.oneof(fc.constantFrom('1', '2', 'oidc', 'oauth', 1, 2, '3', null), anyJson),
});
const proxyJson = entity({
  endpoint: textLike,
  credentials_location: fc.oneof(fc.constantFrom('headers', 'query', 'authorization', 'body'), anyJson),
  auth_user_key: textLike,
  auth_app_id: textLike,
  auth_app_key: textLike,
});
const planJson = entity({
  id: idLike,
  name: textLike,
  system_name: textLike,
  default: fc.oneof(fc.boolean(), anyJson),
  state: fc.oneof(fc.constantFrom('published', 'hidden'), anyJson),
  custom: fc.oneof(fc.boolean(), anyJson),
  approval_required: fc.oneof(fc.boolean(), anyJson),
});
const applicationJson = entity({
  id: idLike,
  account_id: idLike,
  service_id: idLike,
  plan_id: idLike,
  plan_name: textLike,
  state: fc.oneof(fc.constantFrom('live', 'pending', 'suspended', 'deprecated'), anyJson),
  user_key: textLike,
  client_id: textLike,
  client_secret: textLike,
  application_id: textLike,
});
const accountJson = entity({
  id: idLike,
  state: fc.oneof(
    fc.constantFrom('approved', 'pending', 'rejected', 'suspended', 'created', 'scheduled_for_deletion'),
    anyJson,
  ),
});

/** `{"<collection>":[{"<entity>":{…}}]}` with any of its levels replaced by other JSON. */
function collection(name: string, item: string, inner: fc.Arbitrary<Json>): fc.Arbitrary<unknown> {
  const wrapped = fc.oneof(
    inner.map((value) => ({ [item]: value })),
    anyJson,
  );
  return fc
    .oneof(
      fc.array(wrapped, { maxLength: 4 }).map((list) => ({ [name]: list })),
      fc.record({ [name]: anyJson }),
      anyJson,
    )
    .map(asParsed);
}

/** Runs a mapper: its result, or null when it failed the only way it may — with UPSTREAM_ERROR. */
function mapped<T>(run: () => T): T | null {
  try {
    return run();
  } catch (error) {
    assert.ok(isHelperError(error, 'UPSTREAM_ERROR'), `untyped failure: ${String(error)}`);
    assert.doesNotMatch(error.message, /[{}[\]"]/, 'the message does not quote the body');
    return null;
  }
}

const DIGITS = /^\d{1,20}$/;

describe('3scale mappers (properties)', () => {
  it('unwrap any body to objects, or fail with UPSTREAM_ERROR', () => {
    fc.assert(
      fc.property(
        fc.oneof(collection('services', 'service', serviceJson), anyJson),
        fc.oneof(anyJson, fc.record({ service: anyJson }).map(asParsed)),
        (list, single) => {
          const items = mapped(() => unwrapCollection(list, 'services', 'service'));
          if (items !== null)
            for (const item of items) assert.ok(typeof item === 'object' && item !== null && !Array.isArray(item));
          const one = mapped(() => unwrapEntity(single, 'service'));
          if (one !== null) assert.ok(typeof one === 'object' && !Array.isArray(one));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('map any service and proxy to a servable service, null, or UPSTREAM_ERROR', () => {
    fc.assert(
      fc.property(serviceJson, fc.option(proxyJson, { nil: null }), (service, proxy) => {
        const result = mapped(() => toService(service, proxy));
        if (result === null) return;
        assert.match(result.id, DIGITS);
        assert.ok(
          typeof result.name === 'string' &&
            typeof result.systemName === 'string' &&
            typeof result.description === 'string',
        );
        assert.ok(result.endpoint === null || typeof result.endpoint === 'string');
        assert.ok(['api_key', 'app_id_app_key', 'oidc'].includes(result.authenticationMethod));
        assert.ok(['header', 'query', 'basic'].includes(result.credentials.location));
        assert.ok(result.credentials.keyParameter === null || typeof result.credentials.keyParameter === 'string');
        assert.ok(result.credentials.appIdParameter === null || typeof result.credentials.appIdParameter === 'string');
        if (result.authenticationMethod === 'app_id_app_key' && result.credentials.location !== 'basic') {
          assert.ok(result.credentials.appIdParameter !== null, 'app-id services name where the id goes');
        }
      }),
      { numRuns: 1_500 },
    );
  });

  it('map any authentication mode and credentials location without throwing', () => {
    fc.assert(
      fc.property(anyJson, fc.option(proxyJson, { nil: null }), (mode, proxy) => {
        const method = authenticationOf(mode);
        assert.ok(method === null || ['api_key', 'app_id_app_key', 'oidc'].includes(method));
        for (const m of ['api_key', 'app_id_app_key', 'oidc'] as const) {
          const credentials = credentialsOf(proxy, m);
          assert.ok(['header', 'query', 'basic'].includes(credentials.location));
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('map any plan to a plan of the service, or UPSTREAM_ERROR', () => {
    fc.assert(
      fc.property(planJson, fc.nat().map(String), (plan, serviceId) => {
        const result = mapped(() => toPlan(plan, serviceId));
        if (result === null) return;
        assert.match(result.id, DIGITS);
        assert.equal(result.serviceId, serviceId);
        assert.equal(typeof result.name, 'string');
        assert.ok(result.state === 'published' || result.state === 'hidden');
        for (const flag of [result.isDefault, result.isCustom, result.approvalRequired])
          assert.equal(typeof flag, 'boolean');
      }),
      { numRuns: 1_000 },
    );
  });

  it('map any application to one with a key, null, or UPSTREAM_ERROR', () => {
    fc.assert(
      fc.property(
        applicationJson,
        fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: null }),
        (app, appKey) => {
          const needs = needsKeys(app);
          assert.equal(typeof needs, 'boolean');
          const result = mapped(() => toApplication(app, appKey));
          if (result === null) return;
          for (const id of [result.id, result.accountId, result.serviceId, result.planId]) assert.match(id, DIGITS);
          assert.ok(['live', 'pending', 'suspended'].includes(result.state));
          assert.equal(typeof result.apiKey, 'string');
          assert.ok(result.appId === null || typeof result.appId === 'string');
          assert.ok(result.keyPreview.includes('…'), 'the preview is masked');
          assert.ok(
            result.apiKey.length < 12 || !result.keyPreview.includes(result.apiKey),
            'the preview does not hold the key',
          );
        },
      ),
      { numRuns: 1_500 },
    );
  });

  it('map any account to an account whose unknown state is never approved', () => {
    fc.assert(
      fc.property(
        accountJson,
        fc.string({ minLength: 1 }),
        fc.option(fc.emailAddress(), { nil: null }),
        (account, username, email) => {
          const result = mapped(() => toAccount(account, username, email));
          if (result === null) return;
          assert.match(result.id, DIGITS);
          assert.ok(['created', 'approved', 'pending', 'rejected', 'suspended'].includes(result.state));
          if (result.state === 'approved') assert.equal(account.state, 'approved');
          if (account.state === 'scheduled_for_deletion') assert.equal(result.state, 'suspended');
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('read the first key of any key list, or fail with UPSTREAM_ERROR', () => {
    fc.assert(
      fc.property(collection('keys', 'key', entity({ value: textLike })), (body) => {
        const key = mapped(() => firstKey(body));
        assert.ok(key === null || typeof key === 'string');
      }),
      { numRuns: 1_000 },
    );
  });
});
