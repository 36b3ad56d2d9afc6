/**
 * @module apim/threescale/threescale-keys
 * Keys on 3scale, past their creation: an account's applications as MLaaS sees them (a replaced application
 * in its grace period is hidden behind its replacement), rotation, revocation, the key list, and the
 * deadlines (expiry, end of grace, duplicates) found by paging through every application.
 *
 * Every deadline lives in the application's extra fields (`lifecycle-fields`), never only in memory. Writes
 * are ordered so that a failure or a crash at any step leaves the person a working key, and leaves a state
 * the deadline sweep finishes or undoes:
 * - app id + app key (backend version 2): the application records the new key's hash and the grace
 *   deadline while the key is added, both at once; the old key stays current until both are stored (a hash
 *   that matches no key means "the old key is current"; a key the hash does not name is not current, and a
 *   failed record removes it). Keys other than the current one are removed when the grace ends (at once for a
 *   grace of 0), and by the next rotation.
 *
 * A rotation the core asks on an application object this adapter served from a fresh read, saying it is
 * current under the lock (`RotateKeyInput.current`), writes on that read instead of reading again.
 * - user key (backend version 1): a grace of 0 changes `user_key` in place. A grace > 0 marks the
 *   application with its grace deadline, then creates a second application on the same plan holding the new
 *   key and naming the one it replaces; the replaced one is deleted when the grace ends.
 * - an expired key is enforced by suspending its application, then marking it `mlaas_suspended_by=expiry`
 *   (the suspension first: an unmarked suspension reads as an administrator's, so a failure in between
 *   leaves the key stopped); to the domain such an application is a live one whose key has expired, so the
 *   next key request renews it.
 */
import { randomBytes } from 'node:crypto';
import { HelperError, isHelperError } from '../../errors/helper-error.js';
import { previewKey } from '../../lib/key-preview.js';
import type {
  Application,
  DueDeadline,
  KeyRecord,
  ReadOptions,
  RevokeOptions,
  RotateKeyInput,
  RotatedKey,
} from '../api-manager.js';
import {
  FIELD,
  fieldDate,
  isMlaasApplication,
  keyHash,
  keyStamp,
  lifecycleFieldsOf,
  type LifecycleFields,
} from './lifecycle-fields.js';
import { toApplication, unwrapCollection, unwrapEntity } from './mappers.js';
import type { Params, ThreescaleHttp } from './threescale-http.js';

type Json = Record<string, unknown>;

/** 3scale's page size for the tenant-wide application list. */
const INDEX_PAGE_SIZE = 500;
/** A guard against a server that keeps sending pages: 2,000 pages are a million applications. */
const INDEX_MAX_PAGES = 2_000;
/** 3scale keeps at most this many app keys per application. */
const MAX_APP_KEYS = 5;

/** An app key as 3scale lists it. */
export interface StoredKey {
  value: string;
  createdAt: Date | null;
}

/** An application as read from 3scale, with its lifecycle fields and (backend version 2) its keys. */
export interface HeldApp {
  json: Json;
  id: string;
  accountId: string;
  serviceId: string;
  state: string;
  createdAt: Date | null;
  mode: 'user_key' | 'app_key' | 'oidc';
  fields: LifecycleFields;
  /** App keys, oldest first; empty for user-key applications. */
  keys: StoredKey[];
}

export interface ThreescaleKeysOptions {
  http: ThreescaleHttp;
  /** Defines the lifecycle fields on first use. */
  ensureFields: () => Promise<void>;
  /** A new key value (32 hex characters, as 3scale makes them). */
  newKey?: () => string;
}

const appsPath = (accountId: string) => `/admin/api/accounts/${encodeURIComponent(accountId)}/applications`;
const appPath = (accountId: string, id: string) => `${appsPath(accountId)}/${encodeURIComponent(id)}`;
const keysPath = (accountId: string, id: string) => `${appPath(accountId, id)}/keys`;

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function dateOf(value: unknown): Date | null {
  const raw = text(value);
  if (raw === null) return null;
  const parsed = new Date(raw);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

function modeOf(app: Json): HeldApp['mode'] {
  if (text(app.user_key) !== null) return 'user_key';
  if (text(app.client_secret) !== null || text(app.client_id) !== null) return 'oidc';
  return 'app_key';
}

/** `{"keys":[{"key":{…}}]}` → the keys, oldest first. */
export function keysOf(body: unknown): StoredKey[] {
  if (body === null) return [];
  return unwrapCollection(body, 'keys', 'key')
    .map((key) => ({ value: text(key.value), createdAt: dateOf(key.created_at) }))
    .filter((key): key is StoredKey => key.value !== null);
}

/** An application body → what the lifecycle needs of it. */
export function heldApp(json: Json, keys: StoredKey[] = []): HeldApp {
  return {
    json,
    id: String(json.id),
    accountId: String(json.account_id),
    serviceId: String(json.service_id),
    state: text(json.state) ?? '',
    createdAt: dateOf(json.created_at),
    mode: modeOf(json),
    fields: lifecycleFieldsOf(json),
    keys,
  };
}

/** The key the person holds now: the user key, the client secret, or the app key the recorded hash names. */
export function currentKeyOf(app: HeldApp): StoredKey | null {
  if (app.mode === 'user_key') return { value: text(app.json.user_key) ?? '', createdAt: null };
  if (app.mode === 'oidc') return { value: text(app.json.client_secret) ?? '', createdAt: null };
  const hash = app.fields.currentKey?.hash;
  // A hash that matches no key is a rotation that stopped before its key was added: the old key is current.
  return app.keys.find((key) => hash !== undefined && keyHash(key.value) === hash) ?? app.keys[0] ?? null;
}

/** Ids of applications some other application of the list replaces (in their grace period, or past it). */
export function replacedIds(apps: readonly HeldApp[]): Set<string> {
  const ids = new Set(apps.map((app) => app.id));
  const replaced = new Set<string>();
  for (const app of apps) {
    const target = app.fields.replaces;
    if (target !== null && target !== app.id && ids.has(target)) replaced.add(target);
  }
  return replaced;
}

/** Whether MLaaS suspended the application because its key expired. */
function suspendedForExpiry(app: HeldApp): boolean {
  return app.state === 'suspended' && app.fields.suspendedBy === 'expiry';
}

/**
 * The domain view of an application. One MLaaS suspended for expiry is a live application with an
 * expired key, so that asking for a key renews it instead of refusing it as suspended.
 */
export function toDomain(app: HeldApp, keyless = false): Application | null {
  const key = currentKeyOf(app);
  const expired = suspendedForExpiry(app);
  const json = expired ? { ...app.json, state: 'live' } : app.json;
  // Keyless: an app-key application read without its keys, carrying an empty key (reads that ask so).
  const appKey = keyless ? '' : (key?.value ?? null);
  const mapped = toApplication(json, app.mode === 'app_key' ? appKey : null);
  if (mapped === null) return null;
  // Suspended for expiry: expired by the time of the suspension, even if a renewal that stopped half-way
  // already recorded a later expiry.
  const suspendedAt = dateOf(app.json.updated_at)?.getTime() ?? 0;
  const expiresAt = expired
    ? new Date(Math.min(app.fields.expiresAt?.getTime() ?? suspendedAt, suspendedAt))
    : app.fields.expiresAt;
  const keyCreatedAt = app.fields.currentKey?.issuedAt ?? key?.createdAt ?? app.createdAt;
  // The subject it was made for: a person recreated with the same user id is not handed it.
  return { ...mapped, expiresAt, subject: app.fields.subject, ...(keyCreatedAt !== null ? { keyCreatedAt } : {}) };
}

/** Creates the key operations of the 3scale adapter. */
export function createThreescaleKeys(options: ThreescaleKeysOptions) {
  const { http, ensureFields } = options;
  const newKey = options.newKey ?? (() => randomBytes(16).toString('hex'));
  /**
   * What a fresh read with keys served, by the domain object it returned: a rotation the core asks on such
   * an object (`RotateKeyInput.current`) writes on that read instead of reading the application again.
   */
  const served = new WeakMap<Application, { app: HeldApp; all: HeldApp[] }>();

  async function put(path: string, form: Params): Promise<Json> {
    const body = await http.put(path, form);
    if (body === null) throw new HelperError('KEY_NOT_FOUND', 'That key no longer exists.');
    return unwrapEntity(body, 'application');
  }

  /** Reads an application's keys; an app-key application without one gets one, as the portal would. */
  async function withKeys(json: Json): Promise<HeldApp> {
    const app = heldApp(json);
    if (app.mode !== 'app_key') return app;
    const path = keysPath(app.accountId, app.id);
    let keys = keysOf(await http.get(path));
    if (keys.length === 0 && app.state !== 'suspended') {
      await http.post(path, { key: newKey() });
      keys = keysOf(await http.get(path));
    }
    return { ...app, keys };
  }

  /** Every application of an account, fresh, with the keys of those `needsKeys` chooses (default: all). */
  async function readAccount(accountId: string, needsKeys: (app: HeldApp) => boolean = () => true): Promise<HeldApp[]> {
    const body = await http.get(appsPath(accountId));
    if (body === null) return [];
    return Promise.all(
      unwrapCollection(body, 'applications', 'application').map((json) =>
        needsKeys(heldApp(json)) ? withKeys(json) : heldApp(json),
      ),
    );
  }

  /** The account's applications as the core sees them: replaced ones stay hidden behind their replacement. */
  async function listApplications(accountId: string, read: ReadOptions = {}): Promise<Application[]> {
    // Keys are read only where asked: a first key needs the asked service's, the convergence read none.
    const wanted = read.keys ?? 'all';
    const keyed = (app: HeldApp) => wanted === 'all' || (wanted !== 'none' && app.serviceId === wanted.serviceId);
    const apps = await readAccount(accountId, keyed);
    const replaced = replacedIds(apps);
    const domain: Application[] = [];
    for (const app of apps) {
      if (replaced.has(app.id)) continue;
      const mapped = toDomain(app, !keyed(app));
      if (mapped === null) continue;
      if (read.fresh === true && keyed(app)) served.set(mapped, { app, all: apps });
      domain.push(mapped);
    }
    return domain;
  }

  /** The fields a new application starts with. */
  function createFields(
    key: string,
    at: Date,
    expiresAt: Date | null,
    who: { subject: string | null; userId: string | null } = { subject: null, userId: null },
  ): Params {
    return {
      [FIELD.currentKey]: keyStamp(key, at),
      [FIELD.expiresAt]: fieldDate(expiresAt),
      ...(who.subject !== null ? { [FIELD.subject]: who.subject } : {}),
      ...(who.userId !== null ? { [FIELD.userId]: who.userId } : {}),
    };
  }

  /**
   * Resumes an application suspended for expiry once its new key is stored, then drops the mark (a mark left
   * by a crash in between means nothing on a live application).
   */
  async function resumeExpired(app: HeldApp): Promise<void> {
    await put(`${appPath(app.accountId, app.id)}/resume`, {});
    await put(appPath(app.accountId, app.id), { [FIELD.suspendedBy]: '' });
  }

  function notRotated(app: HeldApp): RotatedKey {
    const application = toDomain(app);
    if (application === null) throw new HelperError('KEY_NOT_FOUND', 'That key no longer exists.');
    return { application, rotated: false };
  }

  async function rotateAppKey(app: HeldApp, input: RotateKeyInput): Promise<RotatedKey> {
    const current = currentKeyOf(app);
    if (current === null || current.value !== input.application.apiKey) return notRotated(app);
    const value = newKey();
    // An expired key gets no grace: resuming its application must not bring it back.
    const graceUntil =
      input.graceUntil.getTime() > input.now.getTime() && !suspendedForExpiry(app) ? input.graceUntil : input.now;
    // 1. Record the new key's hash and the grace deadline, and add the key, at the same time. Until both are
    //    stored the old key stays current: a hash that matches no key means "the old key is current", and a
    //    key the hash does not name is not current. Keys already in a grace period end now too (first, when
    //    the application is at 3scale's limit of keys, so the new one fits).
    const others = app.keys.filter((key) => key.value !== current.value);
    const endOthers = () =>
      Promise.all(
        others.map((key) => http.delete(`${keysPath(app.accountId, app.id)}/${encodeURIComponent(key.value)}`)),
      );
    const full = app.keys.length >= MAX_APP_KEYS;
    if (full) await endOthers();
    const [recorded, added, ended] = await Promise.allSettled([
      put(appPath(app.accountId, app.id), {
        [FIELD.currentKey]: keyStamp(
          value,
          input.now,
          graceUntil.getTime() > input.now.getTime() ? current.value : null,
        ),
        [FIELD.graceUntil]: fieldDate(graceUntil),
        [FIELD.expiresAt]: fieldDate(input.expiresAt),
      }),
      http.post(keysPath(app.accountId, app.id), { key: value }),
      ...(full ? [] : [endOthers()]),
    ]);
    if (recorded.status === 'rejected') {
      // The new key is not named, so it is not current; remove it (a crash here leaves a key nobody was
      // given, which the next rotation or a revocation removes). Were the record stored after all, its hash
      // names a key that no longer exists: the old key stays current, and the sweep clears the record.
      await http.delete(`${keysPath(app.accountId, app.id)}/${encodeURIComponent(value)}`).catch(() => false);
      throw recorded.reason;
    }
    const json = recorded.value as Json;
    if (added.status === 'rejected') {
      // 2. A failed add that stored the key anyway is found by reading; one that did not undoes the record.
      const keys = keysOf(await http.get(keysPath(app.accountId, app.id)).catch(() => null));
      if (!keys.some((key) => key.value === value)) {
        await http
          .put(appPath(app.accountId, app.id), {
            [FIELD.currentKey]: keyStamp(current.value, app.fields.currentKey?.issuedAt ?? input.now),
            [FIELD.graceUntil]: '',
            [FIELD.expiresAt]: fieldDate(app.fields.expiresAt),
          })
          .catch(() => undefined);
        throw added.reason;
      }
    }
    // 3. A grace of 0 ends the old key now (the sweep does it if this fails); an expired app is resumed. Keys
    //    in an earlier grace whose removal failed are tried again: the rotation fails if they cannot end.
    const finishing: Promise<unknown>[] = ended?.status === 'rejected' ? [endOthers()] : [];
    if (graceUntil.getTime() <= input.now.getTime()) {
      finishing.push(
        http.delete(`${keysPath(app.accountId, app.id)}/${encodeURIComponent(current.value)}`).catch(() => false),
      );
    }
    if (suspendedForExpiry(app)) finishing.push(resumeExpired(app));
    await Promise.all(finishing);
    const rotated = heldApp({ ...json, state: suspendedForExpiry(app) ? 'live' : json.state }, [
      { value, createdAt: input.now },
    ]);
    return { application: toDomain(rotated) as Application, rotated: true };
  }

  async function rotateUserKey(app: HeldApp, all: HeldApp[], input: RotateKeyInput): Promise<RotatedKey> {
    if (currentKeyOf(app)?.value !== input.application.apiKey) return notRotated(app);
    const value = newKey();
    // The application this one replaced, still in its grace period, ends now.
    const inGrace = all.filter((other) => other.id === app.fields.replaces && other.serviceId === app.serviceId);
    const endGrace = inGrace.map((other) => http.delete(appPath(other.accountId, other.id)));
    const resume = suspendedForExpiry(app);
    if (input.graceUntil.getTime() <= input.now.getTime()) {
      const [json] = await Promise.all([
        put(appPath(app.accountId, app.id), {
          user_key: value,
          ...createFields(value, input.now, input.expiresAt),
          [FIELD.graceUntil]: '',
          [FIELD.replaces]: '',
        }),
        ...endGrace,
      ]);
      if (resume) await resumeExpired(app);
      const state = resume ? 'live' : json.state;
      return { application: toDomain(heldApp({ ...json, state })) as Application, rotated: true };
    }
    // 1. Mark the grace deadline on the application being replaced (a mark without a replacement is undone
    //    by the sweep), ending any earlier grace at the same time.
    await Promise.all([
      put(appPath(app.accountId, app.id), { [FIELD.graceUntil]: fieldDate(input.graceUntil) }),
      ...endGrace,
    ]);
    // 2. The replacement, on the same plan, naming the application it replaces.
    const form: Params = {
      plan_id: String(app.json.plan_id),
      name: text(app.json.name) ?? `mlaas-${app.accountId}-${app.serviceId}`,
      description: text(app.json.description) ?? 'Created by MLaaS.',
      user_key: value,
      ...createFields(value, input.now, input.expiresAt, app.fields),
      [FIELD.replaces]: app.id,
    };
    let json: Json;
    try {
      json = unwrapEntity(await http.post(appsPath(app.accountId), form), 'application');
    } catch (error) {
      // Stored before it failed? Then it is the replacement; else the old key stays current.
      const stored = (await readAccount(app.accountId).catch(() => [])).find(
        (other) => other.fields.replaces === app.id,
      );
      if (stored === undefined) throw error;
      json = stored.json;
    }
    if (json.state === 'pending' && app.state === 'live') {
      json = await put(`${appPath(app.accountId, String(json.id))}/accept`, {});
    }
    return { application: toDomain(heldApp(json)) as Application, rotated: true };
  }

  /** One application and its keys, read at the same time (an app-id application needs no other). */
  async function readOne(accountId: string, id: string): Promise<HeldApp | null> {
    const [body, keys] = await Promise.all([http.get(appPath(accountId, id)), http.get(keysPath(accountId, id))]);
    return body === null ? null : heldApp(unwrapEntity(body, 'application'), keysOf(keys));
  }

  async function rotateKey(input: RotateKeyInput): Promise<RotatedKey> {
    const { accountId, id } = input.application;
    await ensureFields();
    const read = input.current === true ? served.get(input.application) : undefined;
    if (read !== undefined) {
      // A read serves one write: the object then no longer describes the application.
      served.delete(input.application);
      return rotateRead(read.app, read.all, input);
    }
    // An app-id application is read alone with its keys; a user-key one with the account's others, one of
    // which may be its replacement.
    const one = input.application.appId !== null ? await readOne(accountId, id) : null;
    const all = one !== null && one.mode !== 'user_key' ? [one] : await readAccount(accountId, () => false);
    const app = all.find((candidate) => candidate.id === id);
    if (app === undefined) throw new HelperError('KEY_NOT_FOUND', 'That key no longer exists.');
    return rotateRead(app, all, input);
  }

  /** Rotates on a read of the application (`all`: the account's applications read with it). */
  async function rotateRead(app: HeldApp, all: HeldApp[], input: RotateKeyInput): Promise<RotatedKey> {
    if (app.mode === 'oidc') {
      throw new HelperError(
        'NOT_ROTATABLE',
        'This service uses OpenID Connect client credentials, whose secret the identity provider manages; it cannot be rotated here.',
      );
    }
    if (replacedIds(all).has(app.id)) {
      // Someone rotated it a moment ago: the replacement holds the current key.
      const replacement = all.find((other) => other.fields.replaces === app.id);
      if (replacement !== undefined) return notRotated(replacement);
    }
    return app.mode === 'app_key' ? rotateAppKey(app, input) : rotateUserKey(app, all, input);
  }

  /** Deletes every application of the account on the service (replaced ones included). */
  async function revokeKeys(
    accountId: string,
    serviceId: string,
    now: Date,
    options: RevokeOptions = {},
  ): Promise<string[]> {
    // Keys are read only for app-id applications MLaaS has not stamped: a stamp names the previews. The read
    // runs alongside the confirmation of the account id; nothing is deleted unless it confirms.
    const [read, confirmed] = await Promise.all([
      readAccount(
        accountId,
        (app) => app.serviceId === serviceId && app.mode === 'app_key' && app.fields.currentKey?.preview == null,
      ),
      options.confirm ?? true,
    ]);
    if (!confirmed) return [];
    const apps = read.filter((app) => app.serviceId === serviceId);
    const previews = apps.flatMap((app) => {
      const stamp = app.fields.currentKey;
      const inGrace = app.fields.graceUntil !== null && app.fields.graceUntil.getTime() > now.getTime();
      if (app.mode === 'app_key' && stamp?.preview != null) {
        return [stamp.preview, ...(inGrace && stamp.replacedPreview !== null ? [stamp.replacedPreview] : [])];
      }
      const current = currentKeyOf(app);
      // The current key, and app keys still in their grace period: the keys the gateway accepted until now.
      const graceOver = app.fields.graceUntil === null || app.fields.graceUntil.getTime() <= now.getTime();
      const others = graceOver ? [] : app.keys.filter((key) => key.value !== current?.value);
      return [...(current !== null && current.value !== '' ? [current] : []), ...others].map((key) =>
        previewKey(key.value),
      );
    });
    await Promise.all(apps.map((app) => http.delete(appPath(app.accountId, app.id))));
    return previews;
  }

  async function listKeys(accountId: string, now: Date): Promise<KeyRecord[]> {
    const apps = await readAccount(accountId);
    const replaced = replacedIds(apps);
    const records: KeyRecord[] = [];
    for (const app of apps) {
      const domain = toDomain(app);
      if (domain === null) continue;
      const expiresAt = app.fields.expiresAt;
      const graceUntil = app.fields.graceUntil;
      const expired = expiresAt !== null && expiresAt.getTime() <= now.getTime();
      const base = { serviceId: app.serviceId, applicationId: app.id };
      if (replaced.has(app.id)) {
        const until = earliest(graceUntil, expiresAt);
        records.push({
          ...base,
          keyPreview: domain.keyPreview,
          state: until !== null && until.getTime() <= now.getTime() ? 'expired' : 'grace',
          createdAt: domain.keyCreatedAt ?? null,
          expiresAt,
          validUntil: until,
        });
        continue;
      }
      const state =
        app.state === 'suspended'
          ? suspendedForExpiry(app)
            ? 'expired'
            : 'suspended'
          : expired
            ? 'expired'
            : app.state === 'pending'
              ? 'pending'
              : 'active';
      records.push({
        ...base,
        keyPreview: domain.keyPreview,
        state,
        createdAt: domain.keyCreatedAt ?? null,
        expiresAt,
        validUntil: expiresAt,
      });
      const current = currentKeyOf(app);
      for (const key of app.keys) {
        if (key.value === current?.value) continue;
        const until = earliest(graceUntil ?? now, expiresAt);
        records.push({
          ...base,
          keyPreview: previewKey(key.value),
          state: until !== null && until.getTime() > now.getTime() ? 'grace' : 'expired',
          createdAt: key.createdAt,
          expiresAt,
          validUntil: until,
        });
      }
    }
    return records;
  }

  /** Every application of the tenant, a page at a time (one call per 500 applications). */
  async function* everyApplication(): AsyncGenerator<HeldApp[]> {
    const seen = new Set<string>();
    for (let page = 1; page <= INDEX_MAX_PAGES; page++) {
      const body = await http.get('/admin/api/applications', { page, per_page: INDEX_PAGE_SIZE });
      const items = body === null ? [] : unwrapCollection(body, 'applications', 'application');
      const fresh = items.map((json) => heldApp(json)).filter((app) => !seen.has(app.id));
      for (const app of fresh) seen.add(app.id);
      yield fresh;
      if (items.length < INDEX_PAGE_SIZE || fresh.length === 0) return;
    }
  }

  /**
   * Due deadlines of the whole tenant, oldest first: expired keys of live applications, ended grace periods
   * (a replaced application, or an application holding a replaced key), and second MLaaS applications of a
   * pair that are not a replacement. Reads only the application list; usernames come from `userIdOf`.
   */
  async function listDueDeadlines(
    now: Date,
    limit: number,
    userIdOf: (accountId: string) => Promise<string>,
  ): Promise<DueDeadline[]> {
    const all: HeldApp[] = [];
    for await (const page of everyApplication()) all.push(...page.filter((app) => isMlaasApplication(app.json)));
    const replaced = replacedIds(all);
    type Due = Omit<DueDeadline, 'userId'>;
    const due: Due[] = [];
    const preview = (app: HeldApp) =>
      app.fields.currentKey?.preview ?? (app.mode === 'user_key' ? previewKey(text(app.json.user_key) ?? '') : '…');
    const deadline = (kind: DueDeadline['kind'], app: HeldApp, at: Date): Due => ({
      kind,
      accountId: app.accountId,
      serviceId: app.serviceId,
      applicationId: app.id,
      keyPreview: preview(app),
      at,
      ref: `${kind}:${app.accountId}:${app.id}`,
    });
    const pairs = new Map<string, HeldApp[]>();
    for (const app of all) {
      const { graceUntil, expiresAt } = app.fields;
      if (graceUntil !== null && graceUntil.getTime() <= now.getTime())
        due.push(deadline('grace_ended', app, graceUntil));
      else if (
        app.state === 'live' &&
        expiresAt !== null &&
        expiresAt.getTime() <= now.getTime() &&
        !replaced.has(app.id)
      )
        due.push(deadline('expired', app, expiresAt));
      if (!replaced.has(app.id)) {
        const key = `${app.accountId}\u0000${app.serviceId}`;
        pairs.set(key, [...(pairs.get(key) ?? []), app]);
      }
    }
    for (const apps of pairs.values()) {
      if (apps.length < 2) continue;
      const [, ...newer] = [...apps].sort((a, b) => compareIds(a.id, b.id));
      for (const app of newer) due.push(deadline('duplicate', app, app.createdAt ?? now));
    }
    due.sort((a, b) => a.at.getTime() - b.at.getTime());
    const chosen = due.slice(0, limit);
    // The user id the application records, else the account's username (one read per account).
    const names = new Map<string, string>();
    for (const app of all) if (app.fields.userId !== null) names.set(app.accountId, app.fields.userId);
    for (const accountId of new Set(chosen.map((d) => d.accountId)))
      if (!names.has(accountId)) names.set(accountId, await userIdOf(accountId));
    return chosen.map((d) => ({ ...d, userId: names.get(d.accountId) ?? d.accountId }));
  }

  /**
   * Enforces a deadline after a fresh look at what it concerns; false when there was nothing (left) to do.
   * Its calls go one after another (the loop's concurrency is then its bound on calls in flight), and few:
   * an expiry is 2 calls, the end of a replaced application's grace or a duplicate 2, the end of an app-key
   * grace 3 plus one per key removed.
   */
  async function completeDeadline(deadline: DueDeadline, now: Date): Promise<boolean> {
    switch (deadline.kind) {
      case 'expired':
        return suspendExpired(deadline.accountId, deadline.applicationId, now);
      case 'grace_ended':
        return endGrace(deadline.accountId, deadline.applicationId, now);
      case 'duplicate':
        return removeDuplicate(deadline.accountId, deadline.applicationId);
    }
  }

  /**
   * Suspends an application whose key expired, then marks why (2 calls). The suspension is its own re-check:
   * 3scale suspends only a live application and answers with the application as it now is, so one someone
   * else suspended is skipped, and one whose key was renewed meanwhile (its expiry now later) is resumed at
   * once. A mark that cannot be written resumes it too, for the next run to try again; should that fail as
   * well, the application stays suspended unmarked — read as an administrator's suspension, closed, never open.
   */
  async function suspendExpired(accountId: string, id: string, now: Date): Promise<boolean> {
    const path = appPath(accountId, id);
    let app: HeldApp;
    try {
      const body = await http.put(`${path}/suspend`, {});
      if (body === null) return false;
      app = heldApp(unwrapEntity(body, 'application'));
    } catch (error) {
      // Refused (422): no longer live? One read tells. Any other failure is reported (and one that suspended
      // it anyway leaves it suspended unmarked: closed).
      if (!isHelperError(error) || error.code !== 'UPSTREAM_ERROR' || !/refused/.test(error.message)) throw error;
      const fresh = await http.get(path);
      if (fresh === null || heldApp(unwrapEntity(fresh, 'application')).state !== 'live') return false;
      throw error;
    }
    const { expiresAt } = app.fields;
    if (expiresAt === null || expiresAt.getTime() > now.getTime()) {
      await put(`${path}/resume`, {});
      return false;
    }
    try {
      await put(path, { [FIELD.suspendedBy]: 'expiry' });
    } catch (error) {
      await http.put(`${path}/resume`, {}).catch(() => null);
      throw error;
    }
    return true;
  }

  /**
   * Ends a grace period after reading the account's applications again, without their keys (1 call): a
   * replaced application is deleted (1 call); an app-key application has its keys read (1 call), every key
   * but the current one removed (1 call each), then its grace mark cleared (1 call).
   */
  async function endGrace(accountId: string, id: string, now: Date): Promise<boolean> {
    const apps = await readAccount(accountId, () => false);
    const app = apps.find((candidate) => candidate.id === id);
    if (app === undefined) return false;
    const { graceUntil } = app.fields;
    if (graceUntil === null || graceUntil.getTime() > now.getTime()) return false;
    const path = appPath(app.accountId, app.id);
    if (replacedIds(apps).has(app.id)) return http.delete(path);
    if (app.mode === 'app_key') {
      const held: HeldApp = { ...app, keys: keysOf(await http.get(keysPath(app.accountId, app.id))) };
      const current = currentKeyOf(held);
      const old = held.keys.filter((key) => key.value !== current?.value);
      for (const key of old) await http.delete(`${keysPath(app.accountId, app.id)}/${encodeURIComponent(key.value)}`);
      // The hash is set to the key that remains, so a rotation that stopped early is settled too.
      await put(path, {
        [FIELD.graceUntil]: '',
        ...(current !== null
          ? { [FIELD.currentKey]: keyStamp(current.value, app.fields.currentKey?.issuedAt ?? now) }
          : {}),
      });
      return old.length > 0;
    }
    // A user-key mark without a replacement: the rotation stopped before it; the key stays current.
    await put(path, { [FIELD.graceUntil]: '' });
    return false;
  }

  /** Deletes the newer MLaaS application of a pair if the older one is still there (2 calls). */
  async function removeDuplicate(accountId: string, id: string): Promise<boolean> {
    const apps = await readAccount(accountId, () => false);
    const app = apps.find((candidate) => candidate.id === id);
    if (app === undefined) return false;
    const replaced = replacedIds(apps);
    if (replaced.has(app.id) || !isMlaasApplication(app.json)) return false;
    const older = apps.some(
      (other) =>
        other.serviceId === app.serviceId &&
        !replaced.has(other.id) &&
        isMlaasApplication(other.json) &&
        compareIds(other.id, app.id) < 0,
    );
    return older ? http.delete(appPath(app.accountId, app.id)) : false;
  }

  return {
    readAccount,
    listApplications,
    createFields,
    rotateKey,
    revokeKeys,
    listKeys,
    listDueDeadlines,
    completeDeadline,
  };
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

function compareIds(a: string, b: string): number {
  const x = BigInt(/^\d+$/.test(a) ? a : '0');
  const y = BigInt(/^\d+$/.test(b) ? b : '0');
  return x < y ? -1 : x > y ? 1 : 0;
}
