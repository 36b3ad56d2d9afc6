/**
 * Key previews: enough to recognise a key, never enough to use it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { previewKey } from '../../src/lib/key-preview.js';

describe('previewKey', () => {
  it('keeps a short prefix and the last four characters', () => {
    assert.equal(previewKey('mlaas_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'), 'mlaas_…6789');
    assert.equal(previewKey('4e7b7b09fb75bcb3f72459a336100dab'), '…0dab');
  });
  it('shows nothing of a key too short to mask safely', () => {
    assert.equal(previewKey('short'), '…');
    assert.equal(previewKey('mlaas_abc'), 'mlaas_…');
  });
});
