/**
 * @module apim/threescale/threescale-holders
 * Who holds keys on 3scale, and the changes an entitlement or offboarding run makes to their applications:
 * holders in pages (from the tenant-wide application list, grouped by account), suspending and resuming an
 * application for a reason MLaaS records in `mlaas_suspended_by`, and moving an application to another plan.
 * Resuming touches only an application MLaaS suspended for that reason, never one an administrator suspended.
 */
import { HelperError } from '../../errors/helper-error.js';
import type { ApplicationState, HeldApplication, KeyHolder } from '../api-manager.js';
import { FIELD } from './lifecycle-fields.js';
import { unwrapCollection, unwrapEntity } from './mappers.js';
import { heldApp, type HeldApp } from './threescale-keys.js';
import type { ThreescaleHttp } from './threescale-http.js';

const INDEX_PAGE_SIZE = 500;
const INDEX_MAX_PAGES = 2_000;
/** Account reads in flight at once while naming a page of holders. */
const ACCOUNT_CONCURRENCY = 8;
const STATES: readonly ApplicationState[] = ['live', 'pending', 'suspended'];

const appPath = (accountId: string, id: string) =>
  `/admin/api/accounts/${encodeURIComponent(accountId)}/applications/${encodeURIComponent(id)}`;

function byId(a: string, b: string): number {
  const x = BigInt(/^\d+$/.test(a) ? a : '0');
  const y = BigInt(/^\d+$/.test(b) ? b : '0');
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The view the reconcile loop gets: no key; `suspendedBy` only while the application is suspended. */
function held(app: HeldApp): HeldApplication | null {
  if (!STATES.includes(app.state as ApplicationState)) return null;
  return {
    id: app.id,
    serviceId: app.serviceId,
    planId: String(app.json.plan_id),
    state: app.state as ApplicationState,
    subject: app.fields.subject,
    suspendedBy: app.state === 'suspended' && app.fields.suspendedBy === 'offboarding' ? 'offboarding' : null,
  };
}

/** Creates the holder operations of the 3scale adapter. */
export function createThreescaleHolders(http: ThreescaleHttp, ensureFields: () => Promise<void>) {
  async function readApp(accountId: string, applicationId: string): Promise<HeldApp> {
    const body = await http.get(appPath(accountId, applicationId));
    if (body === null) throw new HelperError('KEY_NOT_FOUND', 'That application no longer exists.');
    return heldApp(unwrapEntity(body, 'application'));
  }

  async function put(path: string, form: Record<string, string>): Promise<void> {
    if ((await http.put(path, form)) === null)
      throw new HelperError('KEY_NOT_FOUND', 'That application no longer exists.');
  }

  /** The username and email of an account's admin user. */
  async function userOf(accountId: string): Promise<{ userId: string; email: string | null }> {
    const body = await http.get(`/admin/api/accounts/${encodeURIComponent(accountId)}/users`);
    const users = body === null ? [] : unwrapCollection(body, 'users', 'user');
    const admin = users.find((user) => user.role === 'admin') ?? users[0];
    return {
      userId: typeof admin?.username === 'string' ? admin.username : accountId,
      email: typeof admin?.email === 'string' && admin.email !== '' ? admin.email : null,
    };
  }

  return {
    /**
     * Holders after `after` (account ids in numeric order), at most `limit`. Reads the whole application list
     * (one call per 500 applications) and one users list per holder of the page.
     */
    async listHolders(page: {
      after: string | null;
      limit: number;
    }): Promise<{ holders: KeyHolder[]; next: string | null }> {
      const byAccount = new Map<string, HeldApplication[]>();
      const seen = new Set<string>();
      for (let number = 1; number <= INDEX_MAX_PAGES; number++) {
        const body = await http.get('/admin/api/applications', { page: number, per_page: INDEX_PAGE_SIZE });
        const items = body === null ? [] : unwrapCollection(body, 'applications', 'application');
        let added = 0;
        for (const json of items) {
          const app = heldApp(json);
          if (seen.has(app.id)) continue;
          seen.add(app.id);
          added += 1;
          const view = held(app);
          if (view === null) continue;
          if (page.after !== null && byId(app.accountId, page.after) <= 0) continue;
          byAccount.set(app.accountId, [...(byAccount.get(app.accountId) ?? []), view]);
        }
        if (items.length < INDEX_PAGE_SIZE || added === 0) break;
      }
      const accounts = [...byAccount.keys()].sort(byId);
      const chosen = accounts.slice(0, Math.max(0, page.limit));
      const holders: KeyHolder[] = new Array(chosen.length);
      let next = 0;
      const worker = async () => {
        while (next < chosen.length) {
          const index = next++;
          const accountId = chosen[index] as string;
          const user = await userOf(accountId);
          holders[index] = {
            accountId,
            ...user,
            applications: (byAccount.get(accountId) ?? []).sort((a, b) => byId(a.id, b.id)),
          };
        }
      };
      await Promise.all(Array.from({ length: Math.min(ACCOUNT_CONCURRENCY, chosen.length) }, worker));
      return { holders, next: accounts.length > chosen.length ? (chosen.at(-1) ?? null) : null };
    },

    /**
     * Suspends for `reason`: the mark first (it means nothing on a live application, so a crash in between is
     * harmless), then the suspension. Idempotent; an application an administrator suspended is left as it is
     * (and not marked, so resuming never touches it); one MLaaS suspended for expiry is marked as offboarded.
     * A pending application is only marked: 3scale does not suspend one, and its key does not work yet.
     */
    async suspendApplication(accountId: string, applicationId: string, reason: 'offboarding'): Promise<void> {
      await ensureFields();
      const app = await readApp(accountId, applicationId);
      if (app.state === 'suspended' && app.fields.suspendedBy === null) return;
      if (app.fields.suspendedBy !== reason)
        await put(appPath(accountId, applicationId), { [FIELD.suspendedBy]: reason });
      if (app.state === 'live') await put(`${appPath(accountId, applicationId)}/suspend`, {});
    },

    /** Resumes only an application MLaaS suspended for `reason`, then clears the mark; false otherwise. */
    async resumeApplication(accountId: string, applicationId: string, reason: 'offboarding'): Promise<boolean> {
      const app = await readApp(accountId, applicationId);
      if (app.fields.suspendedBy !== reason) return false;
      if (app.state !== 'suspended') {
        // A mark left by a crash before the suspension, or a pending application: clear it.
        await put(appPath(accountId, applicationId), { [FIELD.suspendedBy]: '' });
        return false;
      }
      await put(`${appPath(accountId, applicationId)}/resume`, {});
      await put(appPath(accountId, applicationId), { [FIELD.suspendedBy]: '' });
      return true;
    },

    /** `PUT …/change_plan.json`; nothing when the application is already on the plan. */
    async changePlan(accountId: string, applicationId: string, planId: string): Promise<void> {
      const app = await readApp(accountId, applicationId);
      if (String(app.json.plan_id) === planId) return;
      await put(`${appPath(accountId, applicationId)}/change_plan`, { plan_id: planId });
    },
  };
}
