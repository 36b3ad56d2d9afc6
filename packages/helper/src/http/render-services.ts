/**
 * @module http/render-services
 * Writes the `GET /api/services` body as UTF-8 JSON, doing as little per request as the inputs allow:
 * - each service's catalog part is serialised and encoded once per service object (back ends hand out the
 *   same frozen service objects until they reload the catalog, so a reload renders afresh by itself);
 * - a user's last body is kept and sent again while its inputs are the very same objects — the same
 *   catalog services, the same application objects from the account cache, the same account and email —
 *   so it can never show anything the caches beneath it would not.
 * Bodies are bytes: a string would be measured and encoded again on every send.
 */
import type { InitData } from '@mlaas/contract';
import { LRUCache } from 'lru-cache';
import type { ApiService, Identity } from '../apim/api-manager.js';
import type { ServiceListing, ServiceView } from '../provisioning/provisioning.js';

const HEAD = Buffer.from('{"status":"success","data":{"services":[');
const COMMA = Buffer.from(',');
const WITHOUT_KEY = Buffer.from(',"has_api_key":false,"api_key_preview":null}');

/** Bytes of remembered bodies, all users together. */
const REMEMBERED_BYTES = 16 * 1024 * 1024;

interface Rendered {
  views: readonly ServiceView[];
  accountId: string | null;
  email: string | null;
  body: Buffer;
}

/**
 * Creates the renderer of list bodies (a `ServicesResponse` as JSON).
 * @example const render = createServicesRenderer(false); reply.type(JSON_TYPE).send(render(listing, identity));
 */
export function createServicesRenderer(exposeKeys: boolean): (listing: ServiceListing, identity: Identity) => Buffer {
  const catalogParts = new WeakMap<ApiService, Buffer>();
  const lastBodies = new LRUCache<string, Rendered>({
    maxSize: REMEMBERED_BYTES,
    sizeCalculation: (rendered) => rendered.body.length + 16 * rendered.views.length,
  });

  function catalogPart(service: ApiService): Buffer {
    let part = catalogParts.get(service);
    if (part === undefined) {
      const { id, name, ...gateway } = serviceSummary(service);
      const json = JSON.stringify({ id, name, description: service.description, ...gateway });
      part = Buffer.from(json.slice(0, -1)); // without the closing brace: the user's fields follow
      catalogParts.set(service, part);
    }
    return part;
  }

  function render(views: readonly ServiceView[], identity: Identity, accountId: string | null): Buffer {
    const parts: Buffer[] = [HEAD];
    for (const { service, application } of views) {
      if (parts.length > 1) parts.push(COMMA);
      parts.push(catalogPart(service));
      if (application === null) {
        parts.push(WITHOUT_KEY);
      } else {
        const key = exposeKeys ? `,"api_key":${JSON.stringify(application.apiKey)}` : '';
        const expiry =
          application.expiresAt === undefined
            ? ''
            : `,"api_key_expires_at":${JSON.stringify(application.expiresAt?.toISOString() ?? null)}`;
        parts.push(
          Buffer.from(
            `,"has_api_key":true,"api_key_preview":${JSON.stringify(application.keyPreview)}${key}${expiry}}`,
          ),
        );
      }
    }
    const user = JSON.stringify({ soeid: identity.userId, email: identity.email });
    parts.push(Buffer.from(`],"user":${user},"account_id":${JSON.stringify(accountId)}}}`));
    return Buffer.concat(parts);
  }

  return (listing, identity) => {
    const accountId = listing.account?.id ?? null;
    const last = lastBodies.get(identity.userId);
    if (
      last !== undefined &&
      last.accountId === accountId &&
      last.email === identity.email &&
      sameViews(last.views, listing.services)
    ) {
      return last.body;
    }
    const body = render(listing.services, identity, accountId);
    lastBodies.set(identity.userId, { views: listing.services, accountId, email: identity.email, body });
    return body;
  };
}

/** A service's catalog fields as the API shows them (the list adds the description and the user's key). */
export function serviceSummary(service: ApiService): InitData['service'] {
  return {
    id: service.id,
    name: service.name,
    proxy_endpoint: service.endpoint,
    authentication_method: service.authenticationMethod,
    credentials: {
      location: service.credentials.location,
      key_parameter: service.credentials.keyParameter,
      app_id_parameter: service.credentials.appIdParameter,
    },
  };
}

/** Whether two listings are made of the same service and application objects, in the same order. */
function sameViews(a: readonly ServiceView[], b: readonly ServiceView[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    if (a[i]?.service !== b[i]?.service || a[i]?.application !== b[i]?.application) return false;
  }
  return true;
}
