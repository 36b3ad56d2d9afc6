/**
 * @module http/render-services
 * Writes the `GET /api/services` body as UTF-8 JSON bytes.
 *
 * The one speed trick of the list lives here: each service's catalog part (id, name, description, gateway
 * settings) is serialised and encoded once per service object and kept in a WeakMap, and each body is
 * assembled from those parts plus the user's own fields. Services are frozen, so a part can never go stale
 * for its object; the back ends hand out the same objects until they reload the catalog, so in practice a
 * part is built once per catalog load, and a reload (new objects) renders afresh. What it buys, measured
 * with `bench/list-services.ts` (see bench/README.md): the list went from 0.63 to 0.71 of a bare Fastify
 * route's requests per second, against a target of 0.70.
 */
import type { InitData } from '@mlaas/contract';
import type { ApiService, Identity } from '../apim/api-manager.js';
import type { ServiceListing, ServiceView } from '../provisioning/provisioning.js';

const HEAD = Buffer.from('{"status":"success","data":{"services":[');
const COMMA = Buffer.from(',');
const WITHOUT_KEY = Buffer.from(',"has_api_key":false,"api_key_preview":null}');

/**
 * Creates the renderer of list bodies (a `ServicesResponse` as JSON).
 * @example const render = createServicesRenderer(false); reply.type(JSON_TYPE).send(render(listing, identity));
 */
export function createServicesRenderer(exposeKeys: boolean): (listing: ServiceListing, identity: Identity) => Buffer {
  const catalogParts = new WeakMap<ApiService, Buffer>();

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
    for (const { service, application, entitlement } of views) {
      if (parts.length > 1) parts.push(COMMA);
      parts.push(catalogPart(service));
      if (entitlement !== undefined) {
        // The `all` view marks each service; what grants it is shown where the caller lacks it.
        const grantedBy = entitlement.entitled ? '' : `,"granted_by":${JSON.stringify(entitlement.grantedBy)}`;
        parts.push(Buffer.from(`,"entitled":${entitlement.entitled}${grantedBy}`));
      }
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

  return (listing, identity) => render(listing.services, identity, listing.account?.id ?? null);
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
