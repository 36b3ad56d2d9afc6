/**
 * @module @mlaas/helper
 * The MLaaS helper server, importable for embedding and tests.
 */
export { createHelper } from './app/create-helper.js';
export type { Helper, HelperOptions } from './app/create-helper.js';
export { loadConfig, ConfigError } from './config/load-config.js';
export type { HelperConfig } from './config/config.js';
export { HelperError, isHelperError } from './errors/helper-error.js';
export type { ApiManager, Identity, Account, ApiService, ServicePlan, Application } from './apim/api-manager.js';
export { createLogger } from './log/logger.js';
export { HELPER_VERSION } from './version.js';
