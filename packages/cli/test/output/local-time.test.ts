/**
 * @module test/output/local-time
 * Times shown to people are in the local time zone, with its offset.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { localTime } from '../../src/output/local-time.js';

describe('local time', () => {
  const saved = process.env.TZ;
  after(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('shows the local wall-clock time and the offset', () => {
    const instant = new Date('2026-01-01T00:00:00Z');
    process.env.TZ = 'Asia/Kolkata';
    assert.equal(localTime(instant), '2026-01-01 05:30:00 +05:30');
    process.env.TZ = 'America/New_York';
    assert.equal(localTime(instant), '2025-12-31 19:00:00 -05:00');
    process.env.TZ = 'UTC';
    assert.equal(localTime(instant), '2026-01-01 00:00:00 +00:00');
  });
});
