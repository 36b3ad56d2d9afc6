/**
 * @module mlaas
 * The MLaaS SDK: the helper API for programs, sharing the `mlaas` CLI's settings, token store and refresh.
 * Only the client, its errors and its types are public; everything else is the CLI's own.
 */
export { MlaasClient } from './sdk/client.js';
export type { MlaasClientOptions, RequestOptions } from './sdk/client.js';
export { MlaasError, isMlaasError } from './lib/errors.js';
export type { MlaasErrorCode, ClientErrorCode, MlaasErrorOptions } from './lib/errors.js';
export type { HttpTransport, HttpRequest, HttpResponse } from './lib/transport.js';
export type { SignInReason } from './auth/session.js';
export type { StoredTokens } from './store/token-set.js';
export type { TokenStore } from './store/token-store.js';
export { CLI_VERSION } from './version.js';
export type {
  HealthData,
  InitData,
  ServicesData,
  Service,
  ServiceSelector,
  Credentials,
  AuthenticationMethod,
} from '@mlaas/contract';
