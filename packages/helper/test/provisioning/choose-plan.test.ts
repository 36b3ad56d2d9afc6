/**
 * Plan choice: the default plan, else the first published non-custom one, else none.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServicePlan } from '../../src/apim/api-manager.js';
import { choosePlan } from '../../src/provisioning/choose-plan.js';

const plan = (id: string, overrides: Partial<ServicePlan> = {}): ServicePlan => ({
  id,
  name: id,
  serviceId: 's',
  isDefault: false,
  state: 'published',
  isCustom: false,
  approvalRequired: false,
  ...overrides,
});

describe('choosePlan', () => {
  it('prefers the default plan wherever it stands', () => {
    assert.equal(choosePlan([plan('a'), plan('b', { isDefault: true })])?.id, 'b');
  });
  it('takes the first published, non-custom plan when none is default', () => {
    assert.equal(
      choosePlan([plan('hidden', { state: 'hidden' }), plan('custom', { isCustom: true }), plan('c'), plan('d')])?.id,
      'c',
    );
  });
  it('never takes a hidden or custom default', () => {
    assert.equal(choosePlan([plan('x', { isDefault: true, state: 'hidden' }), plan('y')])?.id, 'y');
    assert.equal(choosePlan([plan('x', { isDefault: true, isCustom: true }), plan('y')])?.id, 'y');
  });
  it('returns null when nothing is offered', () => {
    assert.equal(choosePlan([]), null);
    assert.equal(choosePlan([plan('h', { state: 'hidden' }), plan('c', { isCustom: true })]), null);
  });
});
