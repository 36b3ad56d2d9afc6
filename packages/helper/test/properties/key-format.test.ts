/**
 * Properties of the embedded store's API keys: every generated key is well formed whatever the random source
 * gives, the checksum catches every single-character typo and every swap of neighbours, the check never
 * throws on any input, and a preview never shows more than the key's last four characters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { API_KEY_PREFIX, generateApiKey, isWellFormedApiKey } from '../../src/apim/embedded/key-format.js';
import { previewKey } from '../../src/lib/key-preview.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = 32;
const CHECKSUM_LENGTH = 6;

/** The checksum as the format describes it, computed independently: CRC32 of prefix + body in base62. */
function expectedChecksum(unchecked: string): string {
  let value = BigInt(crc32(unchecked));
  let digits = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i += 1) {
    digits = ALPHABET[Number(value % 62n)] + digits;
    value /= 62n;
  }
  return digits;
}

/**
 * A deterministic stand-in for crypto.randomBytes that replays `bytes` in a loop. It must contain at least
 * one byte the generator accepts (below 248), as any real random source eventually does.
 */
const randomSource = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .filter((bytes) => bytes.some((byte) => byte < 248))
  .map((bytes) => {
    let offset = 0;
    return (n: number) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i += 1) out[i] = bytes[(offset + i) % bytes.length] as number;
      offset += n;
      return out;
    };
  });

const base62Body = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: BODY_LENGTH, maxLength: BODY_LENGTH });
const wellFormedKey = base62Body.map((body) => API_KEY_PREFIX + body + expectedChecksum(API_KEY_PREFIX + body));

describe('API key format (properties)', () => {
  it('generates a well-formed key from any random source', () => {
    fc.assert(
      fc.property(randomSource, (source) => {
        const key = generateApiKey(source);
        assert.equal(key.length, API_KEY_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH);
        assert.ok(key.startsWith(API_KEY_PREFIX));
        assert.match(key.slice(API_KEY_PREFIX.length), /^[0-9A-Za-z]+$/);
        assert.equal(key.slice(-CHECKSUM_LENGTH), expectedChecksum(key.slice(0, -CHECKSUM_LENGTH)));
        assert.ok(isWellFormedApiKey(key));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts exactly the keys whose checksum matches', () => {
    fc.assert(
      fc.property(
        base62Body,
        fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: CHECKSUM_LENGTH, maxLength: CHECKSUM_LENGTH }),
        (body, checksum) => {
          const unchecked = API_KEY_PREFIX + body;
          assert.equal(isWellFormedApiKey(unchecked + checksum), checksum === expectedChecksum(unchecked));
          assert.ok(isWellFormedApiKey(unchecked + expectedChecksum(unchecked)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('catches every single-character substitution', () => {
    fc.assert(
      fc.property(wellFormedKey, fc.nat(), fc.constantFrom(...ALPHABET), (key, at, replacement) => {
        const i = API_KEY_PREFIX.length + (at % (BODY_LENGTH + CHECKSUM_LENGTH));
        fc.pre(key[i] !== replacement);
        assert.equal(isWellFormedApiKey(key.slice(0, i) + replacement + key.slice(i + 1)), false);
      }),
      { numRuns: 1_000 },
    );
  });

  it('catches every swap of two different neighbouring characters', () => {
    fc.assert(
      fc.property(wellFormedKey, fc.nat(), (key, at) => {
        const i = API_KEY_PREFIX.length + (at % (BODY_LENGTH + CHECKSUM_LENGTH - 1));
        fc.pre(key[i] !== key[i + 1]);
        const swapped = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
        assert.equal(isWellFormedApiKey(swapped), false);
      }),
      { numRuns: 1_000 },
    );
  });

  it('never throws, and refuses anything that is not prefix + 38 base62 characters', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.anything(),
          wellFormedKey.map((k) => ` ${k}`),
          wellFormedKey.map((k) => k.toUpperCase()),
        ),
        (value) => {
          const accepted = isWellFormedApiKey(value as string);
          if (accepted) {
            assert.equal(typeof value, 'string');
            assert.match(
              value as string,
              new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`),
            );
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('previews show the prefix and at most the last four characters', () => {
    fc.assert(
      fc.property(fc.oneof(wellFormedKey, fc.string({ unit: 'binary', maxLength: 80 })), (key) => {
        const preview = previewKey(key);
        // The only shapes allowed: [prefix up to the first "_"] + "…" + [the last four characters].
        const prefixes = new Set(['', key.slice(0, key.indexOf('_') + 1)]);
        const shapes = [...prefixes].flatMap((prefix) => [`${prefix}…`, `${prefix}…${key.slice(-4)}`]);
        assert.ok(
          shapes.includes(preview),
          `${JSON.stringify(preview)} shows more of ${JSON.stringify(key)} than allowed`,
        );
        assert.ok(preview.length <= 13 + 1 + 4, 'a preview is short');
        if (key.length < 12) assert.ok(preview.endsWith('…'), 'a short key shows no tail');
      }),
      { numRuns: 1_000 },
    );
  });
});
