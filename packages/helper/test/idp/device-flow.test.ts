/**
 * @module test/idp/device-flow
 * The device authorization grant (RFC 8628) over HTTP, with the user's side done by posting the pages'
 * forms as a browser would.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CLIENT_ID, DEVICE_GRANT, FormBrowser, startStack, submitLogin, type Stack } from './support/embedded-stack.js';

interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

async function authorizeDevice(stack: Stack): Promise<DeviceAuthorization> {
  const response = await fetch(stack.discovery.device_authorization_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, scope: 'openid profile email' }),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as DeviceAuthorization;
}

function poll(stack: Stack, deviceCode: string) {
  return stack.token({ grant_type: DEVICE_GRANT, client_id: CLIENT_ID, device_code: deviceCode });
}

/** Enters the code on the verification page and lands on the confirmation page. */
async function enterCode(stack: Stack, device: DeviceAuthorization): Promise<FormBrowser> {
  const browser = new FormBrowser(new URL(stack.issuer).origin);
  await browser.go(device.verification_uri);
  assert.equal(browser.lastStatus, 200);
  assert.match(browser.lastHtml, /<label for="user_code">/);
  await browser.go(browser.formAction(), {
    method: 'POST',
    form: { xsrf: browser.hidden('xsrf'), user_code: device.user_code },
  });
  assert.equal(browser.lastStatus, 200);
  assert.match(browser.lastHtml, new RegExp(device.user_code));
  return browser;
}

describe('device authorization grant', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ EMBEDDED_IDP_DEVICE_POLL_INTERVAL_SECONDS: '1' });
  });
  after(async () => stack.close());

  it('answers with a user code, verification URIs and the polling interval', async () => {
    const device = await authorizeDevice(stack);
    assert.match(device.user_code, /^[A-Z]{4}-[A-Z]{4}$/);
    assert.equal(device.verification_uri, `${stack.issuer}/device`);
    assert.equal(device.verification_uri_complete, `${stack.issuer}/device?user_code=${device.user_code}`);
    assert.equal(device.expires_in, 600);
    assert.equal(device.interval, 1);
  });

  it('says authorization_pending, then slow_down to a device polling faster than the interval', async () => {
    const device = await authorizeDevice(stack);
    const first = await poll(stack, device.device_code);
    assert.equal(first.status, 400);
    assert.equal(first.body.error, 'authorization_pending');
    const second = await poll(stack, device.device_code);
    assert.equal(second.status, 400);
    assert.equal(second.body.error, 'slow_down');
  });

  it('issues tokens the helper accepts once the user enters the code, confirms and signs in', async () => {
    const device = await authorizeDevice(stack);
    const browser = await enterCode(stack, device);
    await browser.go(browser.formAction(), {
      method: 'POST',
      form: { xsrf: browser.hidden('xsrf'), user_code: browser.hidden('user_code'), confirm: 'yes' },
    });
    assert.match(browser.lastHtml, /Sign in to MLaaS/);
    await submitLogin(browser, 'bob', 'bob');
    assert.equal(browser.lastStatus, 200);
    assert.match(browser.lastHtml, /Device connected/);

    const response = await poll(stack, device.device_code);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(typeof response.body.refresh_token, 'string');
    const services = await stack.listServices(response.body.access_token as string);
    assert.equal(services.status, 200);
    assert.equal((services.body.data as { user: { email: string } }).user.email, 'bob@example.org');

    await sleep(1_100);
    const again = await poll(stack, device.device_code);
    assert.equal(again.status, 400);
    assert.equal(again.body.error, 'invalid_grant');
  });

  it('says access_denied when the user denies the device', async () => {
    const device = await authorizeDevice(stack);
    const browser = await enterCode(stack, device);
    await browser.go(browser.formAction(), {
      method: 'POST',
      form: { xsrf: browser.hidden('xsrf'), user_code: browser.hidden('user_code'), abort: 'yes' },
    });
    const response = await poll(stack, device.device_code);
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'access_denied');
  });

  it('rejects a wrong user code on the page and lets the user try again', async () => {
    const browser = new FormBrowser(new URL(stack.issuer).origin);
    await browser.go(`${stack.issuer}/device`);
    await browser.go(browser.formAction(), {
      method: 'POST',
      form: { xsrf: browser.hidden('xsrf'), user_code: 'BCDF-GHJK' },
    });
    assert.match(browser.lastHtml, /role="alert"/);
    assert.match(browser.lastHtml, /<label for="user_code">/);
  });

  it('refuses an unknown device code', async () => {
    const response = await poll(stack, 'no-such-code');
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'invalid_grant');
  });
});

describe('device authorization grant, expiry', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      EMBEDDED_IDP_DEVICE_CODE_TTL_SECONDS: '1',
      EMBEDDED_IDP_DEVICE_POLL_INTERVAL_SECONDS: '1',
    });
  });
  after(async () => stack.close());

  it('says expired_token after the device code expires', async () => {
    const device = await authorizeDevice(stack);
    assert.equal(device.expires_in, 1);
    await sleep(2_100);
    const response = await poll(stack, device.device_code);
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'expired_token');
  });
});
