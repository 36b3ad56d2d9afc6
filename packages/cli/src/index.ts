/**
 * @module mlaas
 * The MLaaS SDK: the helper API for programs, sharing the `mlaas` CLI's settings, token store and refresh.
 */
export { MlaasClient } from './sdk/client.js';
export type { MlaasClientOptions, RequestOptions, ServiceSelector } from './sdk/client.js';
export { MlaasError, isMlaasError } from './sdk/errors.js';
export type { MlaasErrorCode, ClientErrorCode, MlaasErrorOptions } from './sdk/errors.js';
export { createTransport, DEFAULT_HTTP_TIMEOUT_MS } from './sdk/transport.js';
export type { HttpTransport, HttpRequest, HttpResponse, TransportOptions } from './sdk/transport.js';
export { resolveSettings } from './config/settings.js';
export type { Settings, Setting, SettingSource, SettingFlags, TokenStoreKind } from './config/settings.js';
export { resolveConfigDir } from './config/paths.js';
export { Session } from './auth/session.js';
export type { SessionOptions, SignInReason } from './auth/session.js';
export type { TokenStore } from './store/token-store.js';
export type { StoredTokens } from './store/token-set.js';
export { CLI_VERSION } from './version.js';
export type { HealthData, InitData, ServicesData, Service, Credentials, AuthenticationMethod } from '@mlaas/contract';
