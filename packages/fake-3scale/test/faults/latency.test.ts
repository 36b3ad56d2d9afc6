import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultBook } from '../../src/faults/fault-book.js';
import { startFake } from '../support/fake.js';

describe('latency', () => {
  it('a fixed latency is the same every call', () => {
    const book = new FaultBook();
    book.setLatency('services.list', 30);
    assert.equal(
      book.delayFor('services.list', () => 0.9),
      30,
    );
    book.setLatency('services.list', { ms: 45 });
    assert.equal(
      book.delayFor('services.list', () => 0.1),
      45,
    );
  });

  it('a random latency is drawn uniformly from its range', () => {
    const book = new FaultBook();
    book.setLatency('proxy.read', { min: 10, max: 50 });
    assert.equal(
      book.delayFor('proxy.read', () => 0),
      10,
    );
    assert.equal(
      book.delayFor('proxy.read', () => 0.5),
      30,
    );
    assert.equal(
      book.delayFor('proxy.read', () => 0.999999),
      50,
    );
  });

  it('* applies to endpoints without their own latency', () => {
    const book = new FaultBook();
    book.setLatency('*', 20);
    book.setLatency('plans.list', 5);
    assert.equal(book.delayFor('accounts.find', Math.random), 20);
    assert.equal(book.delayFor('plans.list', Math.random), 5);
    book.setLatency('*', null);
    assert.equal(book.delayFor('accounts.find', Math.random), 0);
  });

  it('rejects a malformed latency', () => {
    const book = new FaultBook();
    assert.throws(() => book.setLatency('proxy.read', { min: 50, max: 10 }), /latency must be/);
    assert.throws(() => book.setLatency('proxy.read', -1), /latency must be/);
  });

  it('holds the response back: a client with a shorter timeout gives up, then succeeds once it is cleared', async () => {
    const harness = await startFake({ latency: { 'services.list': 5_000 } });
    await assert.rejects(harness.call('/admin/api/services.json', { signal: AbortSignal.timeout(100) }), {
      name: 'AbortError',
    });
    harness.fake.setLatency('services.list', null);
    assert.equal((await harness.call('/admin/api/services.json')).status, 200);
  });
});
