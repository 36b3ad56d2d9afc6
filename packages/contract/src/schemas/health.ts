/**
 * @module schemas/health
 * Liveness and readiness responses.
 */
import Type, { type Static } from 'typebox';
import { successEnvelope } from './envelope.js';

/** Data of `GET /api/health`: liveness only. */
export const HealthData = Type.Object({ status: Type.Literal('healthy') }, { additionalProperties: false });
export type HealthData = Static<typeof HealthData>;
export const HealthResponse = successEnvelope(HealthData, 'HealthResponse');

/** One dependency's state in `GET /api/ready`. */
export const DependencyCheck = Type.Object(
  { name: Type.String(), ok: Type.Boolean(), detail: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** Data of `GET /api/ready` when every dependency answers. */
export const ReadyData = Type.Object(
  { status: Type.Literal('ready'), checks: Type.Array(DependencyCheck) },
  { additionalProperties: false },
);
export type ReadyData = Static<typeof ReadyData>;
export const ReadyResponse = successEnvelope(ReadyData, 'ReadyResponse');
