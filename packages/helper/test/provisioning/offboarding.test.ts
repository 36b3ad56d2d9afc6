/**
 * Offboarding on the embedded stack (embedded issuer, embedded store, demo gateway): a disabled person's key
 * stops at the gateway after a reconcile run and works again once they are enabled; a person deleted and
 * recreated with the same name does not get the old key back; a person who loses the role loses the key; a
 * directory that cannot answer suspends nothing; a dry run only plans.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NO_ORIGIN, type AuditTrail, type KeyEventInput } from '../../src/audit/audit-log.js';
import type { UserDirectory } from '../../src/directory/user-directory.js';
import { HelperError } from '../../src/errors/helper-error.js';
import { runAdminCommand } from '../../src/idp/admin-commands.js';
import { addUser } from '../../src/idp/users.js';
import { offboardOnce } from '../../src/provisioning/offboarding.js';
import { startStack, type Stack } from '../idp/support/embedded-stack.js';

const SERVICE = 'sentiment-analysis';
const BIN = resolve(import.meta.dirname, '../../src/bin/mlaas-helper.ts');
/** The user id of a person without a soeid (USER_ID_CLAIMS: soeid, preferred_username, sub). */
const idOf = (name: string) => `preferred_username.${name}`;
const PASSWORD = 'a long password';
const POLICY = `
services:
  ${SERVICE}:
    allow: [role:ml-user]
    plans: { group:/premium: Pro }
`;

type OffboardOptions = Parameters<typeof offboardOnce>[0];

/** One offboarding run with no policy and no audit trail kept. */
const offboardQuietly = (apiManager: OffboardOptions['apiManager'], directory: UserDirectory) =>
  offboardOnce({
    apiManager,
    directory,
    audit: { record: async () => {} },
    policy: null,
    callsPerMinute: 60_000,
    concurrency: 2,
  });

describe('offboarding (embedded stack)', () => {
  let stack: Stack;
  let usersFile: string;
  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mlaas-offboard-'));
    usersFile = join(dataDir, 'users.json');
    writeFileSync(join(dataDir, 'entitlements.yaml'), POLICY);
    for (const name of ['carol', 'dave', 'erin', 'frank', 'gina', 'hana']) {
      await addUser(usersFile, {
        username: name,
        email: `${name}@example.org`,
        password: PASSWORD,
        roles: ['ml-user'],
      });
    }
    stack = await startStack(
      { RECONCILE_INTERVAL_SECONDS: '0', ENTITLEMENTS_FILE: join(dataDir, 'entitlements.yaml') },
      { dataDir },
    );
  });
  after(() => stack.close());

  const admin = (...argv: string[]) => {
    const sink = new Writable({ write: (_c, _e, done) => done() });
    return runAdminCommand(argv, {
      env: { MLAAS_DATA_DIR: stack.dataDir },
      stdin: process.stdin,
      stdout: sink,
      stderr: sink,
    });
  };
  const login = (name: string) => stack.passwordLogin(name, PASSWORD);
  const init = async (name: string) => {
    const { access_token } = await login(name);
    const response = await fetch(`${stack.url}/api/services/init`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service_id: SERVICE }),
    });
    return { status: response.status, body: (await response.json()) as { data: { api_key: string } } };
  };
  const gateway = async (key: string) =>
    (await fetch(`${stack.url}/gateway/${SERVICE}`, { method: 'POST', headers: { 'x-api-key': key } })).status;
  const reconcile = async (dryRun = false) => {
    const report = await stack.helper.reconcile({ dryRun });
    assert.ok(report.offboarding, 'the embedded issuer is the directory');
    return report.offboarding;
  };
  const auditOf = async (name: string) => {
    const response = await fetch(`${stack.url}/api/audit`, {
      headers: { authorization: `Bearer ${(await login(name)).access_token}` },
    });
    return ((await response.json()) as { data: { events: { event: string; detail: string | null }[] } }).data.events;
  };

  it('a disabled person cannot sign in; reconcile suspends their key; enabling resumes it', async () => {
    const key = (await init('carol')).body.data.api_key;
    assert.equal(await gateway(key), 200);
    const first = await stack.token({
      grant_type: 'refresh_token',
      client_id: 'mlaas-cli',
      refresh_token: (await login('carol')).refresh_token as string,
    });
    assert.equal(first.status, 200, 'refreshing works while enabled');
    const refresh_token = first.body.refresh_token as string;

    assert.equal(await admin('users', 'disable', 'carol'), 0);
    const refreshed = await stack.token({ grant_type: 'refresh_token', client_id: 'mlaas-cli', refresh_token });
    assert.notEqual(refreshed.status, 200, 'a disabled user cannot refresh');
    const refused = await stack.token({
      grant_type: 'password',
      client_id: 'mlaas-cli',
      username: 'carol',
      password: PASSWORD,
    });
    assert.notEqual(refused.status, 200, 'a disabled user cannot sign in');

    const report = await reconcile();
    assert.equal(report.suspended, 1);
    assert.deepEqual(
      report.planned.map((p) => [p.action, p.userId, p.reason]),
      [['suspend', idOf('carol'), 'disabled']],
    );
    assert.equal(await gateway(key), 403);
    assert.equal((await reconcile()).suspended, 0, 'idempotent: nothing more to do');

    assert.equal(await admin('users', 'enable', 'carol'), 0);
    const resumed = await reconcile();
    assert.equal(resumed.resumed, 1);
    assert.equal(await gateway(key), 200);
    const metrics = await stack.helper.metrics.registry.metrics();
    assert.match(metrics, /mlaas_offboarding_changes_total\{action="suspend",outcome="done"\} [1-9]/);
    assert.match(metrics, /mlaas_offboarding_changes_total\{action="resume",outcome="done"\} [1-9]/);
    assert.match(metrics, /mlaas_offboarding_runs_total\{outcome="ok"\} [1-9]/);
    const events = (await auditOf('carol')).map((e) => e.event);
    assert.deepEqual(events.slice(0, 3), ['resumed', 'suspended', 'issued']);
  });

  it('a dry run plans the suspension and changes nothing', async () => {
    const key = (await init('erin')).body.data.api_key;
    assert.equal(await admin('users', 'disable', 'erin'), 0);
    const plan = await reconcile(true);
    assert.equal(plan.dryRun, true);
    assert.equal(plan.suspended, 0);
    assert.ok(plan.planned.some((p) => p.action === 'suspend' && p.userId === idOf('erin')));
    assert.equal(await gateway(key), 200, 'still accepted after a dry run');

    // The operator's command prints the same plan.
    const dry = spawnSync(process.execPath, ['--import', 'tsx', BIN, 'reconcile', '--dry-run'], {
      env: {
        PATH: process.env.PATH ?? '',
        APIM_BACKEND: 'embedded',
        EMBEDDED_IDP: 'true',
        EMBEDDED_DEMO_USERS: 'true',
        MLAAS_DATA_DIR: stack.dataDir,
        PORT: '0',
        ENTITLEMENTS_FILE: join(stack.dataDir, 'entitlements.yaml'),
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /Offboarding: \d+ key holder\(s\) checked; \d+ change\(s\) planned; nothing changed \(dry run\)/,
    );
    assert.match(dry.stdout, /suspend\s+sentiment-analysis\s+preferred_username\.erin\s+disabled/);
    assert.equal(await gateway(key), 200, 'still accepted after the command');
    assert.equal(await admin('users', 'enable', 'erin'), 0);
  });

  it('a directory that cannot answer suspends nothing and reports it', async () => {
    const key = (await init('frank')).body.data.api_key;
    assert.equal(await admin('users', 'disable', 'frank'), 0);
    const events: KeyEventInput[] = [];
    const audit: AuditTrail = { record: async (event) => void events.push(event) };
    const down: UserDirectory = {
      name: 'down',
      open: async () => {
        throw new HelperError('UPSTREAM_UNAVAILABLE', 'Keycloak did not answer');
      },
    };
    const failingLookup: UserDirectory = {
      name: 'flaky',
      open: async () => ({
        lookup: async () => {
          throw new HelperError('UPSTREAM_TIMEOUT', 'too slow');
        },
      }),
    };
    for (const directory of [down, failingLookup]) {
      const report = await offboardOnce({
        apiManager: stack.helper.apiManager,
        directory,
        audit,
        policy: stack.helper.entitlements,
        callsPerMinute: 60_000,
        concurrency: 4,
      });
      assert.equal(report.suspended, 0);
      assert.match(report.directoryError ?? '', /UPSTREAM_/);
    }
    assert.equal(events.length, 0);
    assert.equal(await gateway(key), 200);
    assert.equal(await admin('users', 'enable', 'frank'), 0);
    assert.equal(NO_ORIGIN.client, null);
  });

  it('a person deleted and recreated with the same name does not get the old key back', async () => {
    const old = (await init('dave')).body.data.api_key;
    // Delete dave and create a new dave: another user id (`sub`) in the issuer.
    const document = JSON.parse(readFileSync(usersFile, 'utf8')) as { users: { username: string }[] };
    document.users = document.users.filter((u) => u.username !== 'dave');
    writeFileSync(usersFile, JSON.stringify(document), { mode: 0o600 });
    await addUser(usersFile, { username: 'dave', email: 'dave@example.org', password: PASSWORD, roles: ['ml-user'] });

    const report = await reconcile();
    assert.ok(
      report.planned.some((p) => p.userId === idOf('dave') && p.action === 'suspend' && p.reason === 'earlier_person'),
    );
    assert.equal(await gateway(old), 403);
    assert.equal((await reconcile()).resumed, 0, 'never resumed for the new person');

    const fresh = await init('dave');
    assert.equal(fresh.status, 200);
    assert.notEqual(fresh.body.data.api_key, old);
    assert.equal(await gateway(fresh.body.data.api_key), 200);
    assert.equal(await gateway(old), 403);
    assert.equal((await reconcile()).suspended, 0, 'the new key is theirs');
  });

  it('a person who loses the role that grants the service loses the key, and gets it back with the role', async () => {
    const key = (await init('gina')).body.data.api_key;
    const setRoles = (roles: string[]) => {
      const document = JSON.parse(readFileSync(usersFile, 'utf8')) as {
        users: { username: string; roles: string[] }[];
      };
      for (const user of document.users) if (user.username === 'gina') user.roles = roles;
      writeFileSync(usersFile, JSON.stringify(document), { mode: 0o600 });
    };
    setRoles(['offline_access']);
    const report = await reconcile();
    assert.ok(report.planned.some((p) => p.userId === idOf('gina') && p.reason === 'not_entitled'));
    assert.equal(await gateway(key), 403);
    setRoles(['offline_access', 'ml-user']);
    assert.equal((await reconcile()).resumed, 1);
    assert.equal(await gateway(key), 200);
  });

  it('a tier change moves the key to the new plan on the next reconcile run', async () => {
    const made = (await init('hana')).body.data as { api_key: string; account_id: string; plan: { id: string } };
    assert.equal(made.plan.id, 'sentiment-analysis-basic');
    const document = JSON.parse(readFileSync(usersFile, 'utf8')) as {
      users: { username: string; groups?: string[] }[];
    };
    for (const user of document.users) if (user.username === 'hana') user.groups = ['/premium'];
    writeFileSync(usersFile, JSON.stringify(document), { mode: 0o600 });

    const report = await reconcile();
    assert.ok(report.planned.some((p) => p.userId === idOf('hana') && p.action === 'change_plan'));
    assert.equal(report.planChanges, 1);
    const [application] = await stack.helper.apiManager.listApplications(made.account_id, { fresh: true });
    assert.equal(application?.planId, 'sentiment-analysis-pro');
    assert.equal(await gateway(made.api_key), 200, 'the same key keeps working');
    assert.equal((await reconcile()).planChanges, 0);
  });
});

describe('offboarding safety brake', () => {
  it('suspends nothing when the directory knows most holders of a page as nobody', async () => {
    const suspended: string[] = [];
    const holders = Array.from({ length: 8 }, (_, i) => ({
      accountId: `acc_${i}`,
      userId: `user-${i}`,
      email: null,
      applications: [
        { id: `app_${i}`, serviceId: SERVICE, planId: 'p', state: 'live' as const, subject: null, suspendedBy: null },
      ],
    }));
    const apiManager = {
      listServices: async () => [{ id: SERVICE, systemName: SERVICE, name: 'S' }],
      listHolders: async () => ({ holders, next: null }),
      suspendApplication: async (_account: string, id: string) => void suspended.push(id),
    } as unknown as OffboardOptions['apiManager'];
    // Only one of the eight is known: the directory is misconfigured, not emptied by departures.
    const directory: UserDirectory = {
      name: 'half-empty',
      open: async () => ({
        lookup: async () =>
          new Map([['user-0', { subject: 's0', userId: 'user-0', enabled: false, roles: [], groups: [] }]]),
      }),
    };
    const report = await offboardQuietly(apiManager, directory);
    assert.deepEqual(suspended, []);
    assert.match(report.directoryError ?? '', /knows 7 of 8 key holders as nobody/);
  });

  it('stops and reports when the API manager cannot list the key holders (a backend without offboarding yet)', async () => {
    const apiManager = {
      listServices: async () => [],
      listHolders: async () => {
        throw new HelperError('UPSTREAM_ERROR', 'listing key holders is not supported by this backend yet');
      },
    } as unknown as OffboardOptions['apiManager'];
    const directory: UserDirectory = { name: 'any', open: async () => ({ lookup: async () => new Map() }) };
    const report = await offboardQuietly(apiManager, directory);
    assert.match(report.backendError ?? '', /UPSTREAM_ERROR: listing key holders is not supported/);
    assert.equal(report.suspended, 0);
  });
});
