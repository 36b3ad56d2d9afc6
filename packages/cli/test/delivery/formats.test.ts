/**
 * @module test/delivery/formats
 * Variable names from service ids, and values that survive each output format: quotes, dollars,
 * backslashes and newlines read back unchanged by sh, by a YAML reader and by JSON.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { dotenvQuote, parseEnvFormat, renderEnv } from '../../src/delivery/formats.js';
import { renderSecret, yamlString } from '../../src/delivery/kubernetes-secret.js';
import { assertDistinctStems, serviceVariableStem, variableNames } from '../../src/delivery/variable-names.js';

const NASTY = [
  `it's "quoted"`,
  'dollar $HOME and ${PATH} and `id` and $(id)',
  'back\\slash \\n literal',
  'two\nlines\r\n',
  'unicode: ключ 🔑 \u2028 \u0085',
  '',
];

function sourced(script: string, name: string): string {
  const result = spawnSync('sh', ['-c', `${script}\nprintf %s "$${name}"`], { encoding: 'utf8', env: {} });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

describe('variable names', () => {
  it('upper-cases the id and replaces every other character with _', () => {
    assert.equal(serviceVariableStem('sentiment-analysis'), 'SENTIMENT_ANALYSIS');
    assert.equal(serviceVariableStem('ocr.v2'), 'OCR_V2');
    assert.equal(serviceVariableStem('2fa'), '2FA');
    assert.equal(serviceVariableStem('café'), 'CAF_');
    assert.deepEqual(variableNames('text-embedding'), {
      apiKey: 'MLAAS_TEXT_EMBEDDING_API_KEY',
      url: 'MLAAS_TEXT_EMBEDDING_URL',
      appId: 'MLAAS_TEXT_EMBEDDING_APP_ID',
    });
  });

  it('ids that map to the same name are an error naming both; a repeated id is not', () => {
    assert.throws(
      () => assertDistinctStems(['a-b', 'x', 'a_b']),
      (error: Error & { code?: string }) =>
        error.code === 'USAGE_ERROR' && /"a-b" and "a_b"/.test(error.message) && /MLAAS_A_B_\*/.test(error.message),
    );
    assert.doesNotThrow(() => assertDistinctStems(['a-b', 'a-b', 'c']));
  });
});

describe('env formats', () => {
  it('shell: sh reads every value back unchanged', () => {
    for (const value of NASTY) {
      assert.equal(sourced(renderEnv({ MLAAS_X_API_KEY: value }, 'shell'), 'MLAAS_X_API_KEY'), value, value);
    }
  });

  it('dotenv: single quotes when possible, else double quotes that sh reads back unchanged', () => {
    assert.equal(dotenvQuote('a$b"c\\d'), `'a$b"c\\d'`);
    assert.equal(dotenvQuote(`it's $X "y" \\`), `"it's \\$X \\"y\\" \\\\"`);
    assert.equal(dotenvQuote('a\nb\r'), '"a\\nb\\r"');
    // Without line breaks, a dotenv line is also a valid sh assignment with the same value.
    for (const value of NASTY.filter((v) => !/[\n\r]/.test(v))) {
      assert.equal(sourced(renderEnv({ MLAAS_X_API_KEY: value }, 'dotenv'), 'MLAAS_X_API_KEY'), value, value);
    }
  });

  it('json: parses back to the same object', () => {
    const variables = Object.fromEntries(NASTY.map((v, i) => [`MLAAS_S${i}_API_KEY`, v]));
    assert.deepEqual(JSON.parse(renderEnv(variables, 'json')), variables);
  });

  it('an unknown format is a usage error', () => {
    assert.equal(parseEnvFormat('shell'), 'shell');
    assert.throws(() => parseEnvFormat('yaml'), /--format must be one of dotenv, shell, json/);
  });
});

describe('Kubernetes Secret', () => {
  it('every value reads back unchanged from the YAML', () => {
    for (const value of NASTY) assert.equal(parseYaml(`v: ${yamlString(value)}`).v, value, JSON.stringify(value));
    const manifest = parseYaml(renderSecret('ml-keys', undefined, { A: NASTY[0] as string, B: NASTY[3] as string }));
    assert.deepEqual(manifest.stringData, { A: NASTY[0], B: NASTY[3] });
    assert.equal(manifest.metadata.namespace, undefined);
  });

  it('names Kubernetes would refuse are usage errors', () => {
    assert.throws(() => renderSecret('Upper', undefined, {}), /not a valid Secret name/);
    assert.throws(() => renderSecret('ok', 'a.b', {}), /not a valid namespace/);
    assert.throws(() => renderSecret('x'.repeat(254), undefined, {}), /not a valid Secret name/);
    assert.doesNotThrow(() => renderSecret('ml-keys.v1', 'team-a', {}));
  });
});
