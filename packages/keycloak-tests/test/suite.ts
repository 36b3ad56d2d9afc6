/**
 * @module test/suite
 * `npm run test:keycloak`: every Keycloak test file in one process, so they share one Keycloak (started
 * once, about a minute). The file that stops Keycloak runs last. Run one file alone with
 * `node --import tsx --test-reporter=spec packages/keycloak-tests/test/<file>.test.ts`.
 */
import './realm.test.js';
import './cli-sign-in.test.js';
import './cli-refresh.test.js';
import './helper-tokens.test.js';
import './journey.test.js';
import './web-sign-in.test.js';
import './entitlements.test.js';
import './outage.test.js';
