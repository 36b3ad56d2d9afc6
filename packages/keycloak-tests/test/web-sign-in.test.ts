/**
 * @module test/web-sign-in
 * The helper's web page signing in through Keycloak's own login page with the shipped realm's public client
 * `mlaas-web` (authorization code + PKCE from the browser, token calls across origins allowed by the
 * client's web origin), getting a key, and signing out at Keycloak, which ends the session there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { findFreePort } from '../../helper/src/idp/listen-address.js';
import type { Keycloak } from '../src/index.js';
import { chromiumSkip, launchChromium, signInOnKeycloak, startHelper, type RunningHelper } from './support/clients.js';
import { SKIP, useKeycloak } from './support/keycloak.js';
import { KeycloakAdmin, shippedRealm } from './support/keycloak-admin.js';

const REALM = 'mlaas-web-page';
const WEB_CLIENT_ID = 'mlaas-web';

describe('the web page signs in with Keycloak', { skip: SKIP || chromiumSkip() }, () => {
  let keycloak: Keycloak;
  let admin: KeycloakAdmin;
  let helper: RunningHelper;
  let browser: Browser;
  before(async () => {
    keycloak = await useKeycloak();
    admin = new KeycloakAdmin(keycloak);
    // The shipped client with its URLs set to where this helper is served, as an operator does.
    const port = await findFreePort('127.0.0.1');
    const origin = `http://127.0.0.1:${port}`;
    const realm = shippedRealm(REALM);
    realm.clients = (realm.clients ?? []).map((client) =>
      client.clientId === WEB_CLIENT_ID
        ? {
            ...client,
            rootUrl: origin,
            redirectUris: [`${origin}/`],
            attributes: {
              ...(client.attributes as Record<string, string>),
              'post.logout.redirect.uris': `${origin}/`,
            },
          }
        : client,
    );
    await admin.createRealm(realm);
    helper = await startHelper(keycloak, { KEYCLOAK_REALM: REALM, PORT: String(port) });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await helper?.close();
    await admin?.deleteRealm(REALM).catch(() => undefined);
  });

  it("signs in on Keycloak's login page, gets a key, and signs out at Keycloak", async () => {
    const context = await browser.newContext();
    const violations: string[] = [];
    context.on('console', (message) => {
      if (/Content Security Policy|CORS/.test(message.text())) violations.push(message.text());
    });
    const page = await context.newPage();
    try {
      const served = await page.goto(`${helper.url}/`);
      assert.match(
        served?.headers()['content-security-policy'] ?? '',
        new RegExp(`connect-src 'self' ${new URL(keycloak.issuer()).origin}`),
      );
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.href.startsWith(keycloak.issuer()));
      await signInOnKeycloak(page, 'alice');
      await page.getByRole('heading', { name: 'Services', level: 1 }).waitFor();
      assert.equal(await page.locator('.who').textContent(), 'AL12345');

      await page
        .getByRole('button', { name: /^Get key for / })
        .first()
        .click();
      const key = (await page.locator('#full-key').textContent()) ?? '';
      assert.ok(key.length >= 16, 'the full key is shown');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL((url) => url.href.startsWith(`${helper.url}/`));
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      // The Keycloak session ended: signing in shows its login form again.
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#username').waitFor();
      assert.deepEqual(violations, []);
    } finally {
      await context.close();
    }
  });
});
