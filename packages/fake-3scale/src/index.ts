/**
 * @module @mlaas/fake-3scale
 * A faithful fake of the 3scale Account Management (Admin) API for tests and benchmarks: seeded tenant,
 * 3scale's shapes and status codes, per-endpoint faults, latency and call counts, and a spec checker.
 */
export { createFake3scale, MAX_BODY_BYTES } from './create-fake-3scale.js';
export type { Fake3scale, Fake3scaleOptions } from './create-fake-3scale.js';
export { ENDPOINT_KEYS, UNMATCHED_KEY, isEndpointKey } from './endpoints.js';
export type { EndpointKey, EndpointTarget } from './endpoints.js';
export { Fake3scaleError, isFake3scaleError } from './errors.js';
export type { Fake3scaleErrorCode, FieldErrors } from './errors.js';
export { FAULT_KINDS } from './faults/fault-spec.js';
export type { FaultKind, FaultSpec, LatencySpec } from './faults/fault-spec.js';
export type { RecordedRequest } from './record/request-log.js';
export type { AuthKind } from './http/auth.js';
export { DEFAULT_SEED_PATH, EDGE_CASES_SEED_PATH, defaultSeed, loadSeedFile } from './seed/load-seed.js';
export { generatedServices, seedWithServices } from './seed/generate-services.js';
export { validateSeed } from './seed/validate-seed.js';
export type * from './seed/seed-types.js';
export type { Tenant } from './tenant/tenant.js';
export type * from './tenant/records.js';
export { checkAgainstSpec, SPEC_PATH } from './spec-check.js';
export { SEEDED_LIMITS, UsageBook, usageBookOf } from './usage/usage-book.js';
export type { LimitPeriod, LimitRecord, MetricRecord } from './usage/usage-book.js';
export type { AuthrepInput, AuthrepResult } from './usage/authrep.js';
