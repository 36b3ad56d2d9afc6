/**
 * @module @mlaas/contract
 * The MLaaS helper API contract, shared by the helper (validation, OpenAPI) and the CLI/SDK (types, checks).
 */
export { ERROR_STATUS, ERROR_CODES, isErrorCode } from './error-codes.js';
export type { ErrorCode } from './error-codes.js';
export { retryAfterMs } from './retry-after.js';
export { successEnvelope, ErrorBody, ErrorEnvelope } from './schemas/envelope.js';
export type { SuccessEnvelope } from './schemas/envelope.js';
export { HealthData, HealthResponse, ReadyData, ReadyResponse, DependencyCheck } from './schemas/health.js';
export {
  SERVICE_ID_PATTERN,
  SERVICE_NAME_PATTERN,
  AuthenticationMethod,
  Credentials,
  Service,
  UserInfo,
  ServicesData,
  ServicesResponse,
  ServicesQuery,
  InitRequest,
  InitData,
  InitResponse,
} from './schemas/services.js';
export type { ServiceSelector } from './schemas/services.js';
export {
  KeyState,
  KeyInfo,
  KeysData,
  KeysResponse,
  ServiceKeyParams,
  RotateRequest,
  RotateData,
  RotateResponse,
  RevokeData,
  RevokeResponse,
  AuditEventType,
  AuditEvent,
  AuditQuery,
  AuditData,
  AuditResponse,
} from './schemas/keys.js';
export {
  UsagePeriod,
  UsageQuery,
  LimitPeriod,
  UsageLimit,
  UsageInterval,
  UsageData,
  UsageResponse,
} from './schemas/usage.js';
