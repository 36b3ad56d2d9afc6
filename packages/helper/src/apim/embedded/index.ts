/**
 * @module apim/embedded
 * The embedded API-management store (SQLite) and the pieces it is made of that others may use.
 */
export { createEmbeddedStore, DATABASE_FILE, DEFAULT_BUSY_TIMEOUT_MS, KEY_FILE } from './embedded-store.js';
export type { EmbeddedStore, EmbeddedStoreOptions } from './embedded-store.js';
export { CATALOG_SLUG_PATTERN, DEMO_CATALOG_PATH, loadCatalog } from './catalog.js';
export type { Catalog } from './catalog.js';
export { API_KEY_PREFIX, generateApiKey, isWellFormedApiKey } from './key-format.js';
export { createKeyCipher, ENCRYPTION_KEY_BYTES, loadOrCreateKeyFile, parseEncryptionKey } from './key-cipher.js';
export type { KeyCipher } from './key-cipher.js';
