/**
 * @module apim/embedded
 * The embedded API-management store (SQLite), as the composition root opens it.
 */
export { createEmbeddedStore } from './embedded-store.js';
export type { EmbeddedStore, EmbeddedStoreOptions } from './embedded-store.js';
export { parseEncryptionKey } from './key-cipher.js';
