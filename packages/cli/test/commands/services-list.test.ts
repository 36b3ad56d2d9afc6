/**
 * The rows of `mlaas services list`: a service the caller is not entitled to (shown with `--all`) says what
 * would grant it instead of a key status.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from '@mlaas/contract';
import { serviceRow } from '../../src/commands/services-list.js';

const SERVICE: Service = {
  id: 'sentiment-analysis',
  name: 'Sentiment Analysis',
  description: '',
  proxy_endpoint: 'https://gw.test/sentiment',
  authentication_method: 'api_key',
  credentials: { location: 'header', key_parameter: 'X-API-Key', app_id_parameter: null },
  has_api_key: false,
  api_key_preview: null,
};

describe('services list rows', () => {
  it('marks a service the caller is not entitled to with the roles or groups that grant it', () => {
    const row = serviceRow({ ...SERVICE, entitled: false, granted_by: ['role:ml-user', 'group:/data-science'] });
    assert.equal(row.at(-1), 'not entitled (needs role:ml-user or group:/data-science)');
    assert.equal(serviceRow({ ...SERVICE, entitled: false, granted_by: [] }).at(-1), 'not entitled');
  });

  it('shows the key status of an entitled service as before', () => {
    assert.equal(serviceRow({ ...SERVICE, entitled: true }).at(-1), 'no');
    assert.equal(
      serviceRow({ ...SERVICE, has_api_key: true, api_key_preview: 'mlaas_…abcd' }).at(-1),
      'yes mlaas_…abcd',
    );
  });
});
