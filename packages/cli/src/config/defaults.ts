/**
 * @module config/defaults
 * Settings baked in at build time. A source build points at the embedded stack on this machine; the
 * single-file binary can be built for an organisation's servers (esbuild `define`, see build-binary.mjs).
 */

// Replaced by string literals in the binary build; undeclared (so `typeof` is 'undefined') in a tsc build.
declare const __MLAAS_DEFAULT_KEYCLOAK_URL__: string | undefined;
declare const __MLAAS_DEFAULT_KEYCLOAK_REALM__: string | undefined;
declare const __MLAAS_DEFAULT_KEYCLOAK_CLIENT_ID__: string | undefined;
declare const __MLAAS_DEFAULT_HELPER_URL__: string | undefined;

/** The defaults a setting falls back to when no flag, environment variable or profile sets it. */
export const BAKED_DEFAULTS = {
  keycloakUrl:
    typeof __MLAAS_DEFAULT_KEYCLOAK_URL__ === 'string' ? __MLAAS_DEFAULT_KEYCLOAK_URL__ : 'http://127.0.0.1:5000',
  keycloakRealm: typeof __MLAAS_DEFAULT_KEYCLOAK_REALM__ === 'string' ? __MLAAS_DEFAULT_KEYCLOAK_REALM__ : 'mlaas',
  keycloakClientId:
    typeof __MLAAS_DEFAULT_KEYCLOAK_CLIENT_ID__ === 'string' ? __MLAAS_DEFAULT_KEYCLOAK_CLIENT_ID__ : 'mlaas-cli',
  helperUrl: typeof __MLAAS_DEFAULT_HELPER_URL__ === 'string' ? __MLAAS_DEFAULT_HELPER_URL__ : 'http://127.0.0.1:5000',
} as const;

/** The profile used when none is named. */
export const DEFAULT_PROFILE = 'default';
/** Scopes requested at sign-in. */
export const DEFAULT_SCOPE = 'openid profile email';
