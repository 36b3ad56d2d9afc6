/**
 * @module represent/representation
 * What a handler answers with: one body that can be rendered as JSON or as XML, since the format is chosen
 * by the path suffix. Entities are wrapped (`{"service":{…}}`), collections use 3scale's
 * envelope (`{"services":[{"service":{…}}]}`) and may carry pagination metadata.
 */
import type { Tenant } from '../tenant/tenant.js';
import { type JsonOut, toJson } from './_json.js';
import { type XmlElement, xmlDocument } from './_xml.js';

/** Everything a representer needs besides the record. */
export interface RenderContext {
  /** Scheme and host the request came to (links are absolute, like 3scale's). */
  baseUrl: string;
  tenant: Tenant;
}

/** One record rendered both ways: the JSON object (without wrapper) and the XML element. */
export interface Rendered {
  json: { [key: string]: JsonOut };
  xml: XmlElement;
}

/** A response body in both formats. */
export interface Body {
  json(): string;
  xml(): string;
}

/** Pagination metadata: added only when a page is smaller than the whole. */
export interface PageMeta {
  per_page: number;
  total_entries: number;
  total_pages: number;
  current_page: number;
}

/** `{"<wrapper>":{…}}` / `<?xml…?><element…/>`. */
export function entityBody(wrapper: string, rendered: Rendered): Body {
  return {
    json: () => toJson({ [wrapper]: rendered.json }),
    xml: () => xmlDocument(rendered.xml),
  };
}

/**
 * `{"<collection>":[{"<item>":{…}}…]}` (+ `"metadata"`) / `<collection per_page=…>…</collection>`:
 * XML carries the metadata as attributes of the root.
 */
export function collectionBody(collection: string, item: string, rendered: Rendered[], meta?: PageMeta): Body {
  return {
    json: () =>
      toJson({
        [collection]: rendered.map((r) => ({ [item]: r.json })),
        ...(meta ? { metadata: { ...meta } } : {}),
      }),
    xml: () =>
      xmlDocument({
        name: collection,
        ...(meta ? { attributes: { ...meta } } : {}),
        content: rendered.map((r) => r.xml),
      }),
  };
}

/** An admin API URL under the request's host. */
export function adminUrl(ctx: RenderContext, path: string): string {
  return `${ctx.baseUrl}/admin/api/${path}`;
}
