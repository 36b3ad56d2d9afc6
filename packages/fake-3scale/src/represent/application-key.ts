/**
 * @module represent/application-key
 * App keys / client secrets of an application. XML lists `updated_at` before `created_at`.
 */
import type { ApplicationRecord, KeyRecord } from '../tenant/records.js';
import { formatTime } from './_json.js';
import { el } from './_xml.js';
import { type RenderContext, type Rendered, adminUrl } from './representation.js';

export function renderKey(ctx: RenderContext, app: ApplicationRecord, key: KeyRecord): Rendered {
  return {
    json: {
      value: key.value,
      created_at: formatTime(key.createdAt),
      updated_at: formatTime(key.updatedAt),
      links: [{ rel: 'application', href: adminUrl(ctx, `accounts/${app.accountId}/applications/${app.id}`) }],
    },
    xml: {
      name: 'key',
      content: [
        ...el('value', key.value),
        ...el('updated_at', formatTime(key.updatedAt)),
        ...el('created_at', formatTime(key.createdAt)),
      ],
    },
  };
}
