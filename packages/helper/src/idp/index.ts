/**
 * @module idp
 * The embedded OpenID Connect issuer (DESIGN.md §5).
 */
export { createEmbeddedIdp, type EmbeddedIdp } from './embedded-idp.js';
export { createEmbeddedProvider, KEYCLOAK_ROUTES, CLI_REDIRECT_URIS, SUPPORTED_SCOPES, DEFAULT_IDP_TTL } from './create-provider.js';
export { addUser, readUsersFile, createUserDirectory, DEMO_USERS, type IdpUser, type UserDirectory } from './users.js';
export { hashPassword, verifyPassword } from './password-hash.js';
export { loadOrCreateSigningKeys, rotateSigningKeys, SIGNING_KEYS_FILE } from './signing-keys.js';
export { isLoopbackHost, issuerForListenAddress, findFreePort } from './listen-address.js';
export { INVALID_CREDENTIALS_MESSAGE } from './sign-in.js';
