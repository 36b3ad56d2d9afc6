/**
 * @module http/render-services
 * Writes the `GET /api/services` body as one JSON string.
 *
 * Each service's catalog part (id, name, description, gateway settings) is serialised once per service
 * object and kept in a WeakMap, and each body is the concatenation of those parts and the user's own fields.
 * Services are frozen, so a part can never go stale for its object; the back ends hand out the same objects
 * until they reload the catalog, so in practice a part is built once per catalog load, and a reload (new
 * objects) renders afresh. The body is one string rather than buffers: Node writes a string body with its
 * headers in one write, and no buffer is allocated per part (see bench/README.md, "Warm list").
 */
import type { InitData } from '@mlaas/contract';
import type { ApiService, Identity } from '../apim/api-manager.js';
import type { ServiceListing, ServiceView } from '../provisioning/provisioning.js';

const HEAD = '{"status":"success","data":{"services":[';
const WITHOUT_KEY = ',"has_api_key":false,"api_key_preview":null}';

/**
 * Creates the renderer of list bodies (a `ServicesResponse` as JSON text).
 * @example const render = createServicesRenderer(false); reply.type(JSON_TYPE).send(render(listing, identity));
 */
export function createServicesRenderer(exposeKeys: boolean): (listing: ServiceListing, identity: Identity) => string {
  const catalogParts = new WeakMap<ApiService, string>();

  function catalogPart(service: ApiService): string {
    let part = catalogParts.get(service);
    if (part === undefined) {
      const { id, name, ...gateway } = serviceSummary(service);
      // Without the closing brace: the user's fields follow.
      part = JSON.stringify({ id, name, description: service.description, ...gateway }).slice(0, -1);
      catalogParts.set(service, part);
    }
    return part;
  }

  function render(views: readonly ServiceView[], identity: Identity, accountId: string | null): string {
    let body = HEAD;
    for (let i = 0; i < views.length; i += 1) {
      const { service, application, entitlement } = views[i] as ServiceView;
      body += i === 0 ? catalogPart(service) : `,${catalogPart(service)}`;
      if (entitlement !== undefined) {
        // The `all` view marks each service; what grants it is shown where the caller lacks it.
        body += `,"entitled":${entitlement.entitled}`;
        if (!entitlement.entitled) body += `,"granted_by":${JSON.stringify(entitlement.grantedBy)}`;
      }
      if (application === null) {
        body += WITHOUT_KEY;
      } else {
        body += `,"has_api_key":true,"api_key_preview":${JSON.stringify(application.keyPreview)}`;
        if (exposeKeys) body += `,"api_key":${JSON.stringify(application.apiKey)}`;
        if (application.expiresAt !== undefined) {
          body += `,"api_key_expires_at":${JSON.stringify(application.expiresAt?.toISOString() ?? null)}`;
        }
        body += '}';
      }
    }
    const user = JSON.stringify({ soeid: identity.userId, email: identity.email });
    return `${body}],"user":${user},"account_id":${JSON.stringify(accountId)}}}`;
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
