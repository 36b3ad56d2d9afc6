/**
 * @module test/cli-sign-in
 * The `mlaas` executable signing in against Keycloak: with a password, with a device code approved in
 * headless Chromium on Keycloak's own pages, and in a browser with authorization code + PKCE through
 * Keycloak's login page; then signing out, which ends the session at Keycloak.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Keycloak } from '../src/index.js';
import {
  chromiumSkip,
  cliUser,
  launchChromium,
  signInOnKeycloak,
  startHelper,
  waitForText,
  type CliUser,
  type RunningHelper,
} from './support/clients.js';
import { SKIP, useKeycloak } from './support/keycloak.js';
import { CLIENT_ID, decodeJwt, tokenRequest } from './support/keycloak-admin.js';

describe('mlaas signs in against Keycloak', { skip: SKIP }, () => {
  let keycloak: Keycloak;
  let helper: RunningHelper;
  const users: CliUser[] = [];
  const newUser = () => {
    const user = cliUser(keycloak, { helperUrl: helper.url });
    users.push(user);
    return user;
  };
  before(async () => {
    keycloak = await useKeycloak();
    helper = await startHelper(keycloak);
  });
  after(async () => {
    for (const user of users) user.remove();
    await helper?.close();
  });

  it('password: signs in, stores the tokens (0600 file), and the helper accepts them', async () => {
    const user = newUser();
    const login = await user.login('alice');
    assert.match(login.stderr, new RegExp(`Signed in as alice to ${keycloak.issuer()} \\(profile "default"\\)`));
    const whoami = await user.run(['whoami']);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /^alice \(alice@example\.org\)$/m);
    const claims = decodeJwt(user.tokens().accessToken).claims;
    assert.equal(claims.iss, keycloak.issuer());
    const list = await user.run(['services', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const data = JSON.parse(list.stdout) as { user: { soeid: string; email: string }; services: unknown[] };
    assert.deepEqual(data.user, { soeid: 'AL12345', email: 'alice@example.org' });
    assert.ok(data.services.length > 0);
  });

  it('password: a wrong password exits 4 and stores nothing', async () => {
    const user = newUser();
    const result = await user.run(['login', '--password', '--username', 'alice', '--password-stdin'], {
      input: 'not-her-password\n',
    });
    assert.equal(result.code, 4);
    assert.match(result.stderr, /^error: sign-in failed: wrong username or password \(AUTH_FAILED\)$/m);
    assert.ok(!existsSync(join(user.configDir, 'credentials.json')));
  });

  describe('in a browser', { skip: chromiumSkip() }, () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
    });

    it("device flow: the code is approved on Keycloak's pages (login, grant), and the CLI is signed in", async () => {
      const user = newUser();
      const link = waitForText(/\(or open (\S+) directly\)/);
      const code = waitForText(/enter the code: (\S+)/);
      const running = user.run(['login', '--device'], {
        timeoutMs: 120_000,
        onStderr: (text) => {
          link.feed(text);
          code.feed(text);
        },
      });
      const [, url] = await link.match;
      const [, userCode] = await code.match;
      assert.equal(new URL(url as string).searchParams.get('user_code'), userCode);
      assert.ok((url as string).startsWith(`${keycloak.issuer()}/device`));
      const page = await browser.newPage();
      try {
        await page.goto(url as string);
        await signInOnKeycloak(page, 'bob');
        // Keycloak always asks the user to grant access to a device.
        await page.getByText('Do you grant these access privileges?').waitFor();
        await page.locator('#kc-login').click();
        await page.getByText('Device Login Successful').waitFor();
      } finally {
        await page.close();
      }
      const result = await running;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /Signed in as bob/);
      const whoami = await user.run(['whoami']);
      assert.match(whoami.stdout, /^bob /);
    });

    it("browser flow: authorization code + PKCE through Keycloak's login page to a loopback port", async () => {
      const user = newUser();
      const authUrl = waitForText(/^ {2}(http:\/\/\S+\/protocol\/openid-connect\/auth\?\S+)$/m);
      const running = user.run(['login', '--browser'], { timeoutMs: 120_000, onStderr: (text) => authUrl.feed(text) });
      const [, url] = await authUrl.match;
      const params = new URL(url as string).searchParams;
      assert.ok((url as string).startsWith(`${keycloak.issuer()}/protocol/openid-connect/auth?`));
      assert.equal(params.get('code_challenge_method'), 'S256');
      assert.match(params.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
      const page = await browser.newPage();
      try {
        await page.goto(url as string);
        await signInOnKeycloak(page, 'alice');
        await page.getByRole('heading', { name: 'Signed in' }).waitFor();
      } finally {
        await page.close();
      }
      const result = await running;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /Signed in as alice/);
      const list = await user.run(['services', 'list', '--json']);
      assert.equal(list.code, 0, list.stderr);
    });
  });

  it('logout: removes the tokens and ends the session at Keycloak (the refresh token is dead)', async () => {
    const user = newUser();
    await user.login('bob');
    const { refreshToken } = user.tokens();
    const result = await user.run(['logout']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Signed out of profile "default"; the session was ended at the issuer\./);
    const refresh = await tokenRequest(keycloak, keycloak.realm, {
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      refresh_token: refreshToken,
    });
    assert.equal(refresh.status, 400);
    assert.equal(refresh.body.error, 'invalid_grant');
    const whoami = await user.run(['whoami']);
    assert.equal(whoami.code, 4);
  });
});
