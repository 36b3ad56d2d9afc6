/**
 * Properties of claims → identity: whatever a verified token carries, the helper gets a well-formed identity
 * (a printable, bounded user id from the first configured claim, never with whitespace around it) or an INVALID_TOKEN
 * HelperError — never another exception, and never an identity built from a claim that was not configured.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { JWTPayload } from 'jose';
import { identityFromClaims } from '../../src/auth/identity.js';
import { isHelperError } from '../../src/errors/helper-error.js';

const CLAIM_NAMES = [
  'soeid',
  'preferred_username',
  'sub',
  'email',
  'realm_access',
  'groups',
  'upn',
  'toString',
  '__proto__',
  'constructor',
];

const text = fc.string({ unit: 'binary', maxLength: 300 });
/** Values a JSON token payload can hold, with a bias towards what identity mapping looks at. */
const claimValue = fc.oneof(
  text,
  fc.constantFrom(
    '',
    '   ',
    'alice',
    ' alice ',
    'a\u0000b',
    'x'.repeat(256),
    'x'.repeat(255),
    'alice@example.org',
    '@',
  ),
  fc.record({ roles: fc.oneof(fc.array(fc.oneof(text, fc.jsonValue())), fc.jsonValue()) }, { requiredKeys: [] }),
  fc.array(fc.oneof(text, fc.jsonValue()), { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
);
/** A token payload as `jose` hands it over: parsed JSON, so plain objects only. */
const claims = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...CLAIM_NAMES), claimValue),
    fc.dictionary(fc.string({ maxLength: 10 }), claimValue, { maxKeys: 4 }),
  )
  .map(([known, other]) => JSON.parse(JSON.stringify({ ...other, ...known })) as JWTPayload);
const userIdClaims = fc.oneof(
  fc.constant(['soeid', 'preferred_username', 'sub']),
  fc.array(fc.constantFrom(...CLAIM_NAMES), { minLength: 1, maxLength: 4 }),
  fc.array(fc.string({ minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 3 }),
);

describe('identityFromClaims (properties)', () => {
  it('maps any claims to a well-formed identity or INVALID_TOKEN', () => {
    fc.assert(
      fc.property(claims, userIdClaims, (payload, names) => {
        let identity;
        try {
          identity = identityFromClaims(payload, names);
        } catch (error) {
          assert.ok(isHelperError(error, 'INVALID_TOKEN'), `threw ${String(error)}`);
          return;
        }
        assert.equal(typeof identity.userId, 'string');
        assert.ok(identity.userId.length > 0 && identity.userId.length <= 255);
        assert.equal(identity.userId, identity.userId.trim());
        assert.doesNotMatch(identity.userId, /[\u0000-\u001f\u007f]/);
        assert.ok(identity.email === null || (typeof identity.email === 'string' && identity.email.includes('@')));
        assert.ok(typeof identity.subject === 'string' && identity.subject !== '');
        assert.ok(identity.roles.every((role) => typeof role === 'string'));
        assert.ok(identity.groups.every((group) => typeof group === 'string'));
      }),
      { numRuns: 2_000 },
    );
  });

  it('takes the user id from the first configured claim that holds a non-empty string, qualified by a later claim', () => {
    fc.assert(
      fc.property(claims, userIdClaims, (payload, names) => {
        const index = names.findIndex(
          (name) => Object.hasOwn(payload, name) && typeof payload[name] === 'string' && payload[name] !== '',
        );
        const first = index < 0 ? undefined : (payload[names[index] as string] as string);
        const expected = index <= 0 ? first : `${names[index]}.${first}`;
        try {
          const identity = identityFromClaims(payload, names);
          assert.equal(identity.userId, expected);
          assert.equal(identity.userIdClaim, names[index]);
        } catch (error) {
          assert.ok(isHelperError(error, 'INVALID_TOKEN'));
          const usable =
            typeof expected === 'string' &&
            expected.length <= 255 &&
            !/[\u0000-\u001f\u007f]/.test(expected) &&
            !/^[\s\p{Cf}]|[\s\p{Cf}]$/u.test(first as string) &&
            !/^[\s\p{Cf}]|[\s\p{Cf}]$/u.test(expected) &&
            !(index === 0 && names.slice(1).some((other) => (first as string).startsWith(`${other}.`)));
          assert.equal(usable, false, 'a usable id was refused');
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
