/**
 * @module test/output/output
 * Tables, tab-separated rows, suggestions and error lines.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatError } from '../../src/output/format-error.js';
import { closestMatches, editDistance } from '../../src/output/suggest.js';
import { renderTable, renderTsv } from '../../src/output/table.js';
import { MlaasError } from '../../src/lib/errors.js';

describe('tables', () => {
  it('align columns under a header', () => {
    assert.equal(
      renderTable(
        ['NAME', 'ID'],
        [
          ['Long name', 'a'],
          ['B', 'bb'],
        ],
      ),
      'NAME       ID\nLong name  a\nB          bb\n',
    );
  });

  it('cut the widest column to fit the terminal', () => {
    const out = renderTable(['A', 'B'], [['x'.repeat(40), 'y']], { maxWidth: 30 });
    for (const line of out.trimEnd().split('\n')) assert.ok([...line].length <= 30, line);
    assert.match(out, /…/);
  });

  it('never cut a column kept whole (the service id): name and endpoint shrink first', () => {
    const id = 'a-very-long-service-identifier-that-must-stay-whole';
    const out = renderTable(
      ['NAME', 'ID', 'ENDPOINT'],
      [['A rather long service name here', id, 'https://gateway.example.org/a/very/long/path']],
      { maxWidth: 80, keepWhole: [1] },
    );
    const lines = out.trimEnd().split('\n');
    for (const line of lines) assert.ok([...line].length <= 80, line);
    assert.ok(lines[1]?.includes(` ${id} `), out);
    assert.match(lines[1] ?? '', /…/);
  });

  it('tab-separated rows have no header and no tabs inside cells', () => {
    assert.equal(renderTsv([['a\tb', 'c\nd']]), 'a b\tc d\n');
  });
});

describe('suggestions', () => {
  it('edit distance', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('Same', 'same'), 0);
  });

  it('closest names first, by whole name, word or beginning; nothing for nonsense', () => {
    const names = [
      'sentiment-analysis',
      'Sentiment Analysis',
      'text-embedding',
      'Text Embedding',
      'image-classification',
    ];
    assert.deepEqual(closestMatches('sentimnt', names).slice(0, 2).sort(), [
      'Sentiment Analysis',
      'sentiment-analysis',
    ]);
    assert.equal(closestMatches('embeding', names)[0]?.toLowerCase().includes('embedding'), true);
    assert.deepEqual(closestMatches('qqqqqq', names), []);
  });
});

describe('error lines', () => {
  it('one line with the code, then the hint', () => {
    const error = new MlaasError('SERVICE_NOT_FOUND', 'no service\n"x"', { hint: 'Did you mean: y?', requestId: 'r1' });
    assert.equal(
      formatError(error),
      'error: no service "x" (SERVICE_NOT_FOUND) [request r1]\nhint: Did you mean: y?\n',
    );
  });

  it('mask tokens that end up in a message', () => {
    const error = new MlaasError(
      'INVALID_RESPONSE',
      'got Bearer abc.def.ghi and eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig',
    );
    assert.doesNotMatch(formatError(error), /abc\.def|eyJ/);
  });
});
