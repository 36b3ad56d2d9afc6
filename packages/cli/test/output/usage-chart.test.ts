/**
 * @module test/output/usage-chart
 * The usage chart: bars in eighths of a character, a sliver for any non-zero count, limit bars coloured by
 * how full they are only when the style colours, and usage marked unavailable with the limits still shown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UsageData } from '@mlaas/contract';
import { bar, renderUsage } from '../../src/output/usage-chart.js';
import { createStyle } from '../../src/output/style.js';

const data: UsageData = {
  service_id: 'sentiment-analysis',
  application_id: 'app_1',
  plan: { id: 'basic', name: 'Basic' },
  period: 'week',
  granularity: 'day',
  since: '2026-12-01T00:00:00.000Z',
  until: '2026-12-08T00:00:00.000Z',
  usage_available: true,
  total: 13,
  intervals: [0, 1, 0, 4, 0, 0, 8].map((hits, i) => ({ start: `2026-12-0${i + 1}T00:00:00.000Z`, hits })),
  limits: [
    { metric: 'hits', period: 'day', max: 10, used: 9, resets_at: '2026-12-08T00:00:00.000Z' },
    { metric: 'hits', period: 'eternity', max: 100, used: 13, resets_at: null },
  ],
};

const plain = createStyle({ isTTY: false }, {});
const colour = createStyle({ isTTY: true }, {});

describe('usage chart', () => {
  it('draws bars in eighths, with a sliver for a small count', () => {
    assert.equal(bar(8, 8, 5), '█████');
    assert.equal(bar(4, 8, 5), '██▌');
    assert.equal(bar(1, 1000, 5), '▏');
    assert.equal(bar(0, 8, 5), '');
  });

  it('renders one line per day, the total, and the limits, without escapes for a plain style', () => {
    const text = renderUsage(data, plain);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'sentiment-analysis · plan Basic · last 7 days, by day (UTC)');
    assert.equal(lines[1], '  12-01 0 ');
    assert.equal(lines[7], `  12-07 8 ${'█'.repeat(40)}`);
    assert.equal(lines[4], `  12-04 4 ${'█'.repeat(20)}`);
    assert.equal(lines[8], '  total 13');
    assert.match(lines[10] ?? '', /^ {2}hits per day {6}█{18}░{2} 9 \/ 10 {2}resets /);
    assert.match(lines[11] ?? '', /^ {2}hits per eternity ██▋░{17} 13 \/ 100 {2}never resets$/);
    assert.equal(text.includes('\u001b['), false);
  });

  it('colours a limit bar by how full it is on a colour terminal', () => {
    const text = renderUsage(data, colour);
    assert.match(text, /\u001b\[33m█{18}\u001b\[39m/);
    assert.match(text, /\u001b\[32m██▋\u001b\[39m/);
  });

  it('marks usage unavailable and still lists the limits', () => {
    const text = renderUsage(
      { ...data, usage_available: false, total: null, intervals: [], limits: [{ ...data.limits[0]!, used: null }] },
      plain,
    );
    assert.match(text, /usage unavailable right now/);
    assert.match(text, /hits per day ·{20} \? \/ 10 {2}resets /);
    assert.equal(text.includes('total'), false);
  });
});
