/**
 * Regression tests for the sign-in findings of the security review: the throttle counts an attempt before
 * the password is hashed, proxies are trusted only as configured, password hashing is bounded, nobody can
 * lock another user out, data files are private, and demo users stay on a machine of their own.
 */
import assert from 'node:assert/strict';
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, embeddedStackEnv, loadConfig } from '../../src/config/load-config.js';
import { createLoginThrottle } from '../../src/idp/login-throttle.js';
import { addUser } from '../../src/idp/users.js';
import { CLIENT_ID, startStack, type Stack } from '../idp/support/embedded-stack.js';

const PASSWORD = 'correct horse battery';

/** A stack with real users (demo users are refused behind a proxy) and TRUST_PROXY set. */
async function stackBehindProxy(env: Record<string, string>): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-findings-'));
  await addUser(join(dataDir, 'users.json'), { username: 'dana', email: 'dana@example.org', password: PASSWORD });
  await addUser(join(dataDir, 'users.json'), { username: 'eve', email: 'eve@example.org', password: PASSWORD });
  const stack = await startStack({ EMBEDDED_DEMO_USERS: 'false', ...env }, { dataDir });
  const close = stack.close.bind(stack);
  stack.close = async () => {
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return stack;
}

async function passwordGrant(stack: Stack, username: string, password: string, forwardedFor?: string) {
  const response = await fetch(stack.discovery.token_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(forwardedFor !== undefined ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    body: new URLSearchParams({ grant_type: 'password', client_id: CLIENT_ID, username, password }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

describe('finding 1: login throttle reserves the attempt before hashing', () => {
  it('finding 1: login throttle counts attempts started at the same moment one by one', () => {
    const throttle = createLoginThrottle({ freeFailures: 5, now: () => 1_000 });
    const decisions = Array.from({ length: 40 }, () => throttle.begin('alice', '192.0.2.1'));
    assert.equal(decisions.filter((d) => d.allowed).length, 5);
  });

  it('finding 1: login throttle lets at most the free attempts of 40 concurrent wrong passwords be evaluated, and refuses the right one sent with them', async () => {
    const stack = await startStack({
      EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_USER: '5',
      EMBEDDED_IDP_MAX_CONCURRENT_PASSWORD_CHECKS: '256',
      // Long enough that no wait ends while the flood is being answered.
      EMBEDDED_IDP_LOGIN_BASE_DELAY_SECONDS: '600',
    });
    try {
      const wrong = Array.from({ length: 40 }, (_, i) => passwordGrant(stack, 'alice', `wrong-${i}`));
      const right = passwordGrant(stack, 'alice', 'alice');
      const results = await Promise.all([...wrong, right]);
      const throttled = (r: { status: number; body: Record<string, unknown> }) =>
        r.status === 400 && /Too many failed sign-in attempts/.test(String(r.body.error_description));
      const evaluated = results.filter((r) => !throttled(r));
      assert.ok(evaluated.length <= 5, `${evaluated.length} attempts were evaluated`);
      assert.ok(throttled(results.at(-1)!), 'the right password sent with the flood is throttled too');
    } finally {
      await stack.close();
    }
  });
});

describe('finding 2: TRUST_PROXY trusts only configured proxies', () => {
  let stack: Stack;
  before(async () => {
    stack = await stackBehindProxy({
      TRUST_PROXY: '1',
      RATE_LIMIT_IP_PER_MINUTE: '3',
      EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_USER: '2',
      EMBEDDED_IDP_LOGIN_BASE_DELAY_SECONDS: '60',
    });
  });
  after(async () => stack.close());

  it('finding 2: TRUST_PROXY takes the right-most untrusted address, so a forged left-most one does not buy a fresh API budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const response = await fetch(`${stack.url}/api/services`, {
        headers: { 'x-forwarded-for': `203.0.113.${i}, 198.51.100.7` },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses.slice(0, 3), [401, 401, 401]);
    assert.deepEqual(statuses.slice(3), [429, 429]);
  });

  it('finding 2: TRUST_PROXY: varying the forged left-most address does not escape the login throttle', async () => {
    const results = [];
    for (let i = 0; i < 4; i += 1) {
      results.push(await passwordGrant(stack, 'eve', `wrong-${i}`, `203.0.113.${i}, 198.51.100.9`));
    }
    assert.deepEqual(
      results.map((r) => r.status),
      [401, 401, 400, 400],
    );
    assert.match(String(results[2]?.body.error_description), /Too many failed sign-in attempts/);
  });

  it('finding 2: TRUST_PROXY=true is read as one hop and a list of proxies is accepted; nonsense is refused', () => {
    const base = { ...embeddedStackEnv({}), EMBEDDED_DEMO_USERS: 'false' };
    assert.equal(loadConfig({ ...base, TRUST_PROXY: 'true' }, { warn: () => {} }).limits.trustProxy, 1);
    assert.deepEqual(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' }).limits.trustProxy, [
      '10.0.0.0/8',
      '192.0.2.1',
    ]);
    assert.throws(
      () => loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/33' }),
      (error: unknown) => error instanceof ConfigError && /TRUST_PROXY must be false/.test(error.message),
    );
  });
});

describe('finding 2: password hashing is bounded', () => {
  it('finding 2: concurrent password checks beyond the bound are shed with 503 and Retry-After', async () => {
    const stack = await stackBehindProxy({ TRUST_PROXY: '1', EMBEDDED_IDP_MAX_CONCURRENT_PASSWORD_CHECKS: '1' });
    try {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => passwordGrant(stack, 'dana', `wrong-${i}`, `203.0.113.${i}`)),
      );
      const shed = results.filter((r) => r.status === 503);
      assert.ok(shed.length > 0, 'some attempts were shed');
      assert.ok(shed.every((r) => r.retryAfter !== null && Number(r.retryAfter) > 0));
      assert.equal(shed[0]?.body.error, 'temporarily_unavailable');
      assert.ok(
        results.some((r) => r.status === 401),
        'the first attempt was evaluated',
      );
    } finally {
      await stack.close();
    }
  });
});

describe('finding 7: no account lockout', () => {
  it('finding 7: no account lockout: failures from one address do not stop the user signing in from another', async () => {
    const stack = await stackBehindProxy({ TRUST_PROXY: '1', EMBEDDED_IDP_LOGIN_MAX_FAILURES_PER_USER: '2' });
    try {
      for (let i = 0; i < 6; i += 1) await passwordGrant(stack, 'dana', `wrong-${i}`, '203.0.113.66');
      const attacker = await passwordGrant(stack, 'dana', PASSWORD, '203.0.113.66');
      assert.equal(attacker.status, 400, 'the guessing address waits, even with the right password');
      const owner = await passwordGrant(stack, 'dana', PASSWORD, '198.51.100.20');
      assert.equal(owner.status, 200, 'the user, from their own address, is not locked out');
    } finally {
      await stack.close();
    }
  });

  it('finding 7: no account lockout: the wait grows with each failure and ends', () => {
    let clock = 0;
    const throttle = createLoginThrottle({ freeFailures: 2, baseDelayMs: 1_000, maxDelayMs: 8_000, now: () => clock });
    assert.ok(throttle.begin('dana', '192.0.2.5').allowed);
    const waits: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      assert.ok(throttle.begin('dana', '192.0.2.5').allowed, `attempt allowed once the wait is over`);
      const next = throttle.begin('dana', '192.0.2.5');
      assert.equal(next.allowed, false);
      const wait = next.allowed ? 0 : next.retryAfterSeconds;
      waits.push(wait);
      clock += wait * 1000;
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 8]);
    assert.ok(throttle.begin('dana', '198.51.100.1').allowed, 'another address is not slowed');
  });
});

describe('finding 9: mlaas.db and its -wal/-shm files are private', () => {
  it('finding 9: mlaas.db, -wal and -shm are created 0600, and files an older version left 0644 are tightened', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-modes-'));
    try {
      // An older helper left a world-readable database behind.
      closeSync(openSync(join(dataDir, 'mlaas.db'), 'w', 0o644));
      chmodSync(join(dataDir, 'mlaas.db'), 0o644);
      const stack = await startStack({}, { dataDir });
      const tokens = await stack.passwordLogin('alice', 'alice');
      await stack.listServices(tokens.access_token as string);
      for (const name of ['mlaas.db', 'mlaas.db-wal', 'mlaas.db-shm', 'idp.db', 'idp.db-wal', 'idp.db-shm']) {
        assert.equal((statSync(join(dataDir, name)).mode & 0o777).toString(8), '600', name);
      }
      await stack.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('finding 10: demo users stay on a machine of their own', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(embeddedStackEnv(env), { warn: () => {} });
      return [];
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
  };

  it('finding 10: demo users are refused behind a trusted proxy even with HOST=127.0.0.1', () => {
    const found = problems({ TRUST_PROXY: '1' });
    assert.ok(found.some((p) => /EMBEDDED_DEMO_USERS=true.*TRUST_PROXY is set/.test(p)));
  });

  it('finding 10: demo users are refused when the public issuer URL is not loopback', () => {
    const found = problems({ EMBEDDED_IDP_ISSUER: 'https://idp.example.org/realms/mlaas' });
    assert.ok(found.some((p) => /EMBEDDED_DEMO_USERS=true.*issuer URL https:\/\/idp\.example\.org/.test(p)));
  });

  it('finding 10: demo users stay available on loopback without a proxy', () => {
    assert.deepEqual(problems({}), []);
  });
});
