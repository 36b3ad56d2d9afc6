/**
 * @module schemas/keys
 * The key lifecycle: listing a person's keys, rotating a key with a grace period, revoking keys, and the
 * history of key events (`GET /api/keys`, `POST /api/services/{id}/key/rotate`, `DELETE /api/services/{id}/key`,
 * `GET /api/audit`).
 */
import Type, { type Static } from 'typebox';
import { successEnvelope } from './envelope.js';
import { SERVICE_ID_PATTERN } from './services.js';

const Timestamp = Type.String({ description: 'An ISO 8601 UTC time.' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** Where a key stands. */
export const KeyState = Type.Union(
  [
    Type.Literal('active'),
    Type.Literal('grace'),
    Type.Literal('expired'),
    Type.Literal('pending'),
    Type.Literal('suspended'),
    Type.Literal('revoked'),
  ],
  {
    description:
      'active: accepted; grace: replaced but still accepted until valid_until; expired: past expires_at; ' +
      'pending: waiting for approval; suspended: held by an administrator; revoked: stopped by its owner.',
  },
);
export type KeyState = Static<typeof KeyState>;

/** One key of the caller. */
export const KeyInfo = Type.Object(
  {
    service_id: Type.String(),
    key_preview: Type.String({ description: 'A masked form of the key, enough to recognise it.' }),
    state: KeyState,
    created_at: NullableTimestamp,
    expires_at: Type.Union([Timestamp, Type.Null()], { description: 'When the key expires; null = never.' }),
    valid_until: Type.Union([Timestamp, Type.Null()], {
      description: 'Until when the gateway accepts the key; null = no end.',
    }),
  },
  { additionalProperties: false },
);
export type KeyInfo = Static<typeof KeyInfo>;

export const KeysData = Type.Object({ keys: Type.Array(KeyInfo) }, { additionalProperties: false });
export type KeysData = Static<typeof KeysData>;
export const KeysResponse = successEnvelope(KeysData, 'KeysResponse');

/** Path parameters of the per-service key routes. */
export const ServiceKeyParams = Type.Object(
  { id: Type.String({ pattern: SERVICE_ID_PATTERN }) },
  { additionalProperties: false },
);

/** Body of `POST /api/services/{id}/key/rotate`; an empty body takes the configured default grace. */
export const RotateRequest = Type.Object(
  {
    grace_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'How long the old key keeps working; 0 stops it now. The maximum comes from configuration.',
      }),
    ),
  },
  { additionalProperties: false, $id: 'RotateRequest' },
);
export type RotateRequest = Static<typeof RotateRequest>;

/** Data of a rotation. */
export const RotateData = Type.Object(
  {
    service_id: Type.String(),
    api_key: Type.String({ description: 'The new key.' }),
    app_id: Type.Union([Type.String(), Type.Null()]),
    key_preview: Type.String(),
    expires_at: NullableTimestamp,
    previous: Type.Object(
      {
        key_preview: Type.String(),
        valid_until: Timestamp,
      },
      { additionalProperties: false, description: 'The replaced key and until when it is still accepted.' },
    ),
    rotated: Type.Boolean({
      description: 'False when a concurrent rotation of the same key already produced the key returned.',
    }),
  },
  { additionalProperties: false },
);
export type RotateData = Static<typeof RotateData>;
export const RotateResponse = successEnvelope(RotateData, 'RotateResponse');

/** Data of a revocation. */
export const RevokeData = Type.Object(
  {
    service_id: Type.String(),
    revoked: Type.Array(Type.Object({ key_preview: Type.String() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type RevokeData = Static<typeof RevokeData>;
export const RevokeResponse = successEnvelope(RevokeData, 'RevokeResponse');

/** Kinds of key events. */
export const AuditEventType = Type.Union([
  Type.Literal('issued'),
  Type.Literal('rotated'),
  Type.Literal('revoked'),
  Type.Literal('expired'),
  Type.Literal('grace_ended'),
  Type.Literal('suspended'),
  Type.Literal('resumed'),
  Type.Literal('duplicate_removed'),
]);
export type AuditEventType = Static<typeof AuditEventType>;

/** One key event. */
export const AuditEvent = Type.Object(
  {
    id: Type.Integer({ description: 'Increasing; pass as `before` to page back.' }),
    at: Timestamp,
    event: AuditEventType,
    outcome: Type.Union([Type.Literal('success'), Type.Literal('failure')]),
    user_id: Type.String(),
    subject: Type.Union([Type.String(), Type.Null()]),
    service_id: Type.String(),
    key_preview: Type.Union([Type.String(), Type.Null()]),
    client_address: Type.Union([Type.String(), Type.Null()]),
    client: Type.Union([Type.String(), Type.Null()], { description: 'Client name and version (User-Agent).' }),
    request_id: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type AuditEvent = Static<typeof AuditEvent>;

/** Query of `GET /api/audit`; numbers in decimal digits (query strings are not converted). */
export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.String({ pattern: '^(?:[1-9][0-9]{0,1}|[1-4][0-9]{2}|500)$', description: '1 to 500; 50 by default.' }),
    ),
    before: Type.Optional(
      Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'Only events older than this id.' }),
    ),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditData = Type.Object(
  {
    events: Type.Array(AuditEvent),
    next_before: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `before` for older events.' }),
  },
  { additionalProperties: false },
);
export type AuditData = Static<typeof AuditData>;
export const AuditResponse = successEnvelope(AuditData, 'AuditResponse');
