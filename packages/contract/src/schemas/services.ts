/**
 * @module schemas/services
 * Services list and key provisioning: what `GET /api/services` and `POST /api/services/init` exchange.
 */
import Type, { type Static } from 'typebox';
import { successEnvelope } from './envelope.js';

/** Service ids: the gateway's ids (digits for 3scale) or catalog slugs. */
export const SERVICE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';
/** Service names: printable text, no control characters. */
export const SERVICE_NAME_PATTERN = '^[^\\u0000-\\u001f\\u007f]{1,200}$';

/** How a client authenticates to the gateway for a service. */
export const AuthenticationMethod = Type.Union(
  [Type.Literal('api_key'), Type.Literal('app_id_app_key'), Type.Literal('oidc')],
  {
    description:
      'api_key: one key; app_id_app_key: an application id and key; oidc: OpenID Connect client credentials.',
  },
);
export type AuthenticationMethod = Static<typeof AuthenticationMethod>;

/** Where the gateway reads credentials, and under which names. */
export const Credentials = Type.Object(
  {
    location: Type.Union([Type.Literal('header'), Type.Literal('query'), Type.Literal('basic')], {
      description: 'header: an HTTP header; query: a query parameter; basic: HTTP Basic authentication.',
    }),
    key_parameter: Type.Union([Type.String(), Type.Null()], {
      description: 'Header or query parameter that carries the key (null for basic and oidc).',
    }),
    app_id_parameter: Type.Union([Type.String(), Type.Null()], {
      description: 'Header or query parameter that carries the application id (app_id_app_key only).',
    }),
  },
  { additionalProperties: false },
);
export type Credentials = Static<typeof Credentials>;

/** One ML service as the list shows it. */
export const Service = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    proxy_endpoint: Type.Union([Type.String(), Type.Null()], { description: 'Production gateway URL.' }),
    authentication_method: AuthenticationMethod,
    credentials: Credentials,
    has_api_key: Type.Boolean(),
    api_key_preview: Type.Union([Type.String(), Type.Null()], {
      description: 'A masked form of the key, enough to recognise it; null without a key.',
    }),
    api_key: Type.Optional(Type.String({ description: 'The full key; only when EXPOSE_KEYS_IN_LIST=true.' })),
    api_key_expires_at: Type.Optional(
      Type.Union([Type.String({ description: 'An ISO 8601 UTC time.' }), Type.Null()], {
        description: 'When the key expires; null = never; absent without a key.',
      }),
    ),
    entitled: Type.Optional(
      Type.Boolean({
        description:
          'Only with ?all=true under an entitlements policy: whether the caller may hold a key of this service.',
      }),
    ),
    granted_by: Type.Optional(
      Type.Array(Type.String(), {
        description:
          'Only with ?all=true for a service the caller is not entitled to: the identity-provider roles ' +
          '(role:NAME) and groups (group:/PATH) any one of which would grant it; empty when nothing does.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Service = Static<typeof Service>;

/** Query of `GET /api/services`. */
export const ServicesQuery = Type.Object(
  {
    all: Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false')], {
        description:
          'true: also the services an entitlements policy keeps from the caller, marked entitled: false with ' +
          'what would grant them.',
      }),
    ),
  },
  // Other parameters are ignored, as the list always did: clients of the original tool may send some.
  { additionalProperties: true },
);
export type ServicesQuery = Static<typeof ServicesQuery>;

/** The signed-in user as the helper sees them. */
export const UserInfo = Type.Object(
  { soeid: Type.String(), email: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export type UserInfo = Static<typeof UserInfo>;

/** Data of `GET /api/services`. */
export const ServicesData = Type.Object(
  {
    services: Type.Array(Service),
    user: UserInfo,
    account_id: Type.Union([Type.String(), Type.Null()], { description: 'Null until the user has an account.' }),
  },
  { additionalProperties: false },
);
export type ServicesData = Static<typeof ServicesData>;
export const ServicesResponse = successEnvelope(ServicesData, 'ServicesResponse');

/** Body of `POST /api/services/init`: exactly one of `service_id` or `service_name`. */
export const InitRequest = Type.Union(
  [
    Type.Object(
      {
        service_id: Type.Union([
          Type.String({ pattern: SERVICE_ID_PATTERN }),
          Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
        ]),
      },
      { additionalProperties: false },
    ),
    Type.Object({ service_name: Type.String({ pattern: SERVICE_NAME_PATTERN }) }, { additionalProperties: false }),
  ],
  { $id: 'InitRequest' },
);
export type InitRequest = Static<typeof InitRequest>;

/** A service as a caller names it: by id (as listed) or by its exact name. */
export type ServiceSelector = { id: string } | { name: string };

/** Data of `POST /api/services/init`. */
export const InitData = Type.Object(
  {
    api_key: Type.String({
      description: 'The key; for app_id_app_key the application key, for oidc the client secret.',
    }),
    app_id: Type.Union([Type.String(), Type.Null()], {
      description: 'The application id (oidc: the client id) sent with the key; null for api_key services.',
    }),
    service: Type.Object(
      {
        id: Type.String(),
        name: Type.String(),
        proxy_endpoint: Type.Union([Type.String(), Type.Null()]),
        authentication_method: AuthenticationMethod,
        credentials: Credentials,
      },
      { additionalProperties: false },
    ),
    plan: Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false }),
    is_new: Type.Boolean({ description: 'True when this call created the key.' }),
    expires_at: Type.Optional(
      Type.Union([Type.String({ description: 'An ISO 8601 UTC time.' }), Type.Null()], {
        description: 'When the key expires; null = never. Absent from helpers without key expiry.',
      }),
    ),
    account_id: Type.String(),
  },
  { additionalProperties: false },
);
export type InitData = Static<typeof InitData>;
export const InitResponse = successEnvelope(InitData, 'InitResponse');
