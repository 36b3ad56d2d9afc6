/**
 * @module test/delivery/doctor-checks
 * The doctor's judgements: clock skew from a one-second Date header, private and readable files, token
 * states, version pairs, and the fix offered for an unreachable server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockCheck, permissionCheck, reachFix, tokenCheck, versionCheck } from '../../src/delivery/doctor-checks.js';
import { renderChecks } from '../../src/delivery/doctor-render.js';

const T = Date.parse('2026-12-03T19:00:00.000Z');

describe('doctor checks', () => {
  it('clock: within the header resolution is in step; 45 s off either way is a ✗ with a fix', () => {
    const date = new Date(T).toUTCString();
    assert.equal(clockCheck('helper', date, T + 400, T + 420).ok, true);
    assert.match(clockCheck('helper', date, T + 400, T + 420).detail, /in step/);
    const ahead = clockCheck('helper', date, T + 46_000, T + 46_010);
    assert.equal(ahead.ok, false);
    assert.match(ahead.detail, /45 s ahead of the helper/);
    assert.match(ahead.fix ?? '', /timedatectl/);
    const behind = clockCheck('issuer', date, T - 45_000, T - 44_990);
    assert.equal(behind.ok, false);
    assert.match(behind.detail, /45 s behind the issuer/);
    assert.equal(clockCheck('issuer', undefined, T, T).ok, true);
  });

  it('permissions: owner-only is ✓; group or other bits are ✗ with the chmod that fixes them', () => {
    assert.equal(permissionCheck('token file', '/c/credentials.json', 0o100600, 'file').ok, true);
    const open = permissionCheck('token file', '/c/credentials.json', 0o100640, 'file');
    assert.deepEqual([open.ok, open.fix], [false, 'chmod 600 /c/credentials.json']);
    assert.equal(permissionCheck('config dir', '/c', 0o40755, 'directory').fix, 'chmod 700 /c');
  });

  it('tokens: valid, renewable, dead, absent', () => {
    const now = T / 1000;
    assert.equal(
      tokenCheck({ expiresAt: now + 300, hasRefreshToken: true, refreshExpiresAt: null }, now, 'p').ok,
      true,
    );
    const renewable = tokenCheck(
      { expiresAt: now - 60, hasRefreshToken: true, refreshExpiresAt: now + 3600 },
      now,
      'p',
    );
    assert.equal(renewable.ok, true);
    assert.match(renewable.detail, /expired .*renewed automatically until/);
    const dead = tokenCheck({ expiresAt: now - 60, hasRefreshToken: true, refreshExpiresAt: now - 1 }, now, 'p');
    assert.deepEqual([dead.ok, dead.fix], [false, 'mlaas login']);
    assert.deepEqual([tokenCheck(null, now, 'p').ok, tokenCheck(null, now, 'p').fix], [false, 'mlaas login']);
  });

  it('versions: same minor before 1.0, same major after; unknown is not a failure', () => {
    assert.equal(versionCheck('0.1.0', '0.1.7').ok, true);
    assert.equal(versionCheck('0.1.0', '0.2.0').ok, false);
    assert.equal(versionCheck('1.2.0', '1.9.1').ok, true);
    assert.equal(versionCheck('1.2.0', '2.0.0').ok, false);
    assert.equal(versionCheck('0.1.0', null).ok, true);
  });

  it('an unreachable server: TLS trouble points at --ca-file, anything else at the URL setting', () => {
    assert.match(reachFix('self-signed certificate in certificate chain', 'MLAAS_HELPER_URL'), /--ca-file/);
    assert.match(reachFix('connect ECONNREFUSED 127.0.0.1:1', 'MLAAS_HELPER_URL'), /MLAAS_HELPER_URL/);
  });

  it('renders ✓ and ✗ lines, the time taken, and the fix under a ✗', () => {
    assert.equal(
      renderChecks([
        { name: 'helper', ok: true, detail: 'answers', ms: 3.4 },
        { name: 'sign-in', ok: false, detail: 'not signed in', fix: 'mlaas login' },
      ]),
      '✓ helper: answers (3 ms)\n✗ sign-in: not signed in\n    fix: mlaas login\n',
    );
  });
});
