/**
 * The SQLite audit history: events appended together share a commit, each append resolves with its own
 * stored event, and nothing appended before close is lost.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KeyEventInput } from '../../src/audit/audit-log.js';
import { AUDIT_DATABASE_FILE, openAuditStore } from '../../src/audit/sqlite-audit-store.js';

const event = (userId: string, serviceId: string): KeyEventInput => ({
  at: new Date('2026-05-01T10:00:00Z'),
  event: 'issued',
  outcome: 'success',
  userId,
  subject: `sub-${userId}`,
  serviceId,
  keyPreview: 'abcd…wxyz',
  origin: { clientAddress: '127.0.0.1', client: 'mlaas-cli/1.0', requestId: `req-${userId}-${serviceId}` },
  detail: null,
});

describe('SQLite audit history', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlaas-audit-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores concurrent appends, each resolving with its own event and id', async () => {
    const store = openAuditStore(join(dir, AUDIT_DATABASE_FILE));
    const inputs = Array.from({ length: 25 }, (_, i) => event(`u${i % 5}`, `svc-${i}`));
    const stored = await Promise.all(inputs.map((input) => store.append(input)));
    assert.equal(new Set(stored.map((s) => s.id)).size, inputs.length, 'distinct ids');
    stored.forEach((s, i) => assert.equal(s.serviceId, inputs[i]?.serviceId));
    const u3 = await store.list({ userId: 'u3', limit: 100 });
    assert.deepEqual(
      u3.map((e) => e.serviceId).sort(),
      inputs
        .filter((e) => e.userId === 'u3')
        .map((e) => e.serviceId)
        .sort(),
    );
    await store.close();
  });

  it('keeps what was appended right before close, across a reopen', async () => {
    const path = join(dir, AUDIT_DATABASE_FILE);
    const store = openAuditStore(path);
    const appended = store.append(event('late', 'svc-1'));
    await store.close();
    assert.equal((await appended).userId, 'late');
    const reopened = openAuditStore(path);
    assert.deepEqual(
      (await reopened.list({ limit: 10 })).map((e) => e.userId),
      ['late'],
    );
    await reopened.close();
  });
});
