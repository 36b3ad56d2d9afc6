/**
 * @module test/lib/mask
 * Secrets never reach the terminal through URLs or messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSecrets, maskUrl } from '../../src/lib/mask.js';

describe('masking', () => {
  it('hides secret query parameters and credentials in URLs, and keeps the rest', () => {
    assert.equal(
      maskUrl('https://gw.example.org/v1?user_key=abc&model=m'),
      'https://gw.example.org/v1?user_key=***&model=m',
    );
    assert.equal(
      maskUrl('https://a.example.org/cb?code=xyz&state=s&session_state=q'),
      'https://a.example.org/cb?code=***&state=s&session_state=***',
    );
    assert.equal(maskUrl('https://u:p@a.example.org/'), 'https://***@a.example.org/');
    assert.equal(
      maskUrl('https://a.example.org/p?app_id=1&app_key=2'),
      'https://a.example.org/p?app_id=***&app_key=***',
    );
  });

  it('hides bearer tokens, JWTs and given secrets in text', () => {
    assert.equal(maskSecrets('Authorization: Bearer abc123'), 'Authorization: Bearer ***');
    assert.equal(maskSecrets('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abc'), 'token ***');
    assert.equal(maskSecrets('key mlaas_secretvalue here', ['mlaas_secretvalue']), 'key *** here');
  });
});
