/**
 * @module apim/api-manager
 * The `ApiManager` port: what provisioning needs from an API-management system (3scale, or the embedded
 * store), in domain terms. Adapters translate their system into these types; nothing else knows a
 * 3scale field name or an SQL table.
 */
import type { AuthenticationMethod } from '@mlaas/contract';
import type { LimitPeriod, UsageWindow } from '../usage/periods.js';

/** Who is asking, as established from a verified access token. */
export interface Identity {
  /**
   * Stable user id and account name: the first present claim of USER_ID_CLAIMS, as sent for the first
   * claim of that list and as `<claim>.<value>` for a later one, so ids of different claims never meet.
   */
  userId: string;
  /** The claim the user id came from. */
  userIdClaim?: string;
  email: string | null;
  /** Whether the issuer vouches for the email (`email_verified`); only then may it find an account. */
  emailVerified: boolean;
  /** The token's `sub`, used to key per-user limits. */
  subject: string;
  roles: readonly string[];
  groups: readonly string[];
}

/** `created`: signed up but not yet activated or approved (3scale's first state). */
export type AccountState = 'created' | 'approved' | 'pending' | 'rejected' | 'suspended';

/** A developer account in the API manager; keys belong to it. */
export interface Account {
  id: string;
  username: string;
  email: string | null;
  state: AccountState;
}

/** Where the gateway reads credentials: transport terms, not 3scale's. */
export interface CredentialLocation {
  readonly location: 'header' | 'query' | 'basic';
  /** Header or query parameter carrying the key; null for basic and oidc. */
  readonly keyParameter: string | null;
  /** Header or query parameter carrying the application id (app_id_app_key only). */
  readonly appIdParameter: string | null;
}

/** An ML service (an API product behind the gateway). */
export interface ApiService {
  readonly id: string;
  readonly name: string;
  readonly systemName: string;
  readonly description: string;
  /** Production gateway URL; null when the gateway has none configured. */
  readonly endpoint: string | null;
  readonly authenticationMethod: AuthenticationMethod;
  readonly credentials: CredentialLocation;
  /** Days a key of this service lives, overriding the helper's default; 0 = never expires. */
  readonly keyTtlDays?: number;
}

/** A service as back ends hand it out: frozen, its credentials too. */
export function frozenService(service: ApiService): ApiService {
  return Object.freeze({ ...service, credentials: Object.freeze({ ...service.credentials }) });
}

/** An application plan of a service. */
export interface ServicePlan {
  id: string;
  name: string;
  serviceId: string;
  isDefault: boolean;
  state: 'published' | 'hidden';
  /** A per-application customised copy; never offered for self-service. */
  isCustom: boolean;
  approvalRequired: boolean;
}

export type ApplicationState = 'live' | 'pending' | 'suspended';

/** An application: an account's subscription to one service, holding its key. */
export interface Application {
  id: string;
  accountId: string;
  serviceId: string;
  planId: string;
  planName: string;
  state: ApplicationState;
  /**
   * The secret a client presents to the gateway: user key, application key, or OIDC client secret.
   * An adapter may compute it on first read (the embedded store decrypts it only then).
   */
  readonly apiKey: string;
  /** A masked form of the key (`lib/key-preview.ts`), enough to recognise it; safe to show and to log. */
  keyPreview: string;
  /** The application id (or OIDC client id) presented with the key; null for plain API-key services. */
  appId: string | null;
  /** When the current key stops being accepted; null = never; absent when the backend keeps no expiry. */
  expiresAt?: Date | null;
  /** When the current key was issued, when the backend knows it. */
  keyCreatedAt?: Date;
  /**
   * The token `sub` of the identity the application was made for, so that a person deleted and recreated
   * with the same username in the identity provider does not inherit the old keys; null when unknown.
   */
  subject?: string | null;
}

/** Where a key of a person stands, as the key list shows it. */
export type KeyState = 'active' | 'grace' | 'expired' | 'pending' | 'suspended' | 'revoked';

/** One key of an account: the current key of an application, or a replaced or revoked one. */
export interface KeyRecord {
  serviceId: string;
  applicationId: string;
  keyPreview: string;
  state: KeyState;
  createdAt: Date | null;
  expiresAt: Date | null;
  /** Until when the gateway accepts the key; null = no end. */
  validUntil: Date | null;
}

export interface RotateKeyInput {
  /** The application as read just before: the rotation happens only if its key is still this one. */
  application: Application;
  /** Until when the replaced key keeps working; `now` (or earlier) stops it at once. */
  graceUntil: Date;
  /** Expiry of the new key; null = never. */
  expiresAt: Date | null;
  now: Date;
  /**
   * True when `application` is an object this backend returned from a fresh read made under the application
   * lock, or before it with nobody taking the lock since (a lock mark): the backend may then write on the
   * state of that read instead of reading the application again. Absent or false: it reads again first.
   */
  current?: boolean;
}

/** How a revocation may be asked for. */
export interface RevokeOptions {
  /**
   * Resolves to whether `accountId` is confirmed as the caller's account. The backend may read the account's
   * applications before it resolves, and changes nothing (answering no previews) unless it resolves true.
   */
  confirm?: Promise<boolean>;
}

export interface RotatedKey {
  /** The application with its new key (or, when not rotated, with the key another rotation put there). */
  application: Application;
  /** False when the key had already been replaced by someone else: nothing was changed. */
  rotated: boolean;
}

/**
 * Something the reconcile loop must do, as the backend reports it: a deadline that has passed and not yet been
 * enforced or recorded (`expired`, `grace_ended`), or a second application of one (account, service) pair
 * (`duplicate`: `applicationId` is the NEWER application, the one to remove; `keyPreview` its key's preview;
 * `at` its creation time).
 */
export interface DueDeadline {
  kind: 'expired' | 'grace_ended' | 'duplicate';
  accountId: string;
  /** The account's user id (the username of the account), for the audit trail. */
  userId: string;
  serviceId: string;
  applicationId: string;
  keyPreview: string;
  at: Date;
  /** Opaque to the core: what the backend needs to find the deadline again. */
  ref: string;
}

export interface CreateApplicationInput {
  account: Account;
  service: ApiService;
  plan: ServicePlan;
  /** Names and descriptions mark applications as made by MLaaS. */
  name: string;
  description: string;
  /** When the key expires; null or absent = never. */
  expiresAt?: Date | null;
  /** The token `sub` of the identity the application is made for. */
  subject?: string | null;
}

/** An application as the reconcile loop sees it: no key material. */
export interface HeldApplication {
  id: string;
  serviceId: string;
  planId: string;
  state: ApplicationState;
  subject: string | null;
  /** Why MLaaS suspended it ('offboarding'); null when it is not suspended by MLaaS. */
  suspendedBy: 'offboarding' | null;
}

/** A developer account holding at least one application, with its applications. */
export interface KeyHolder {
  accountId: string;
  /** The account's username (the user id MLaaS made it for). */
  userId: string;
  email: string | null;
  applications: HeldApplication[];
}

/** How a read may be answered. */
export interface ReadOptions {
  /** Bypass any cache: the answer must reflect every write made so far (used under provisioning locks). */
  fresh?: boolean;
  /**
   * Applications only: whose keys the caller needs — every application's (the default), only those of one
   * service, or none (ids, services and states are enough, e.g. to pick the oldest). A backend that reads
   * keys separately (3scale's app-id services) may leave `apiKey` and `keyPreview` empty on the others; a
   * read that leaves keys out is never cached.
   */
  keys?: 'all' | 'none' | { serviceId: string };
}

/** One limit of an application's plan, and how much of it the current period has used. */
export interface LimitUsage {
  /** The metric's system name (`hits` for calls). */
  metric: string;
  period: LimitPeriod;
  max: number;
  /** Counted in the current calendar period; null when the backend could not say. */
  used: number | null;
}

/** An application's usage over a window and its plan's limits. */
export interface ApplicationUsage {
  /** Hits per interval of the window, oldest first (`window.intervals` numbers); null when unavailable. */
  hits: number[] | null;
  limits: LimitUsage[];
}

/**
 * What provisioning asks of an API-management backend. Implementations throw `HelperError` with an
 * UPSTREAM_* or CONFIG_ERROR code when the backend fails; they hold no business rules.
 */
export interface ApiManager {
  /** Finds the account of a user: by user id, then by email. */
  findAccount(identity: Identity, options?: ReadOptions): Promise<Account | null>;
  /** Creates an account for a user who has none. */
  createAccount(identity: Identity): Promise<Account>;
  /**
   * The catalog. Services are frozen, so anything derived from a service object stays true for as long as
   * that object is held.
   */
  listServices(): Promise<readonly ApiService[]>;
  listPlans(serviceId: string): Promise<ServicePlan[]>;
  listApplications(accountId: string, options?: ReadOptions): Promise<Application[]>;
  createApplication(input: CreateApplicationInput): Promise<Application>;
  /**
   * Removes an application of an account (a duplicate losing a race). Resolves, doing nothing, when it is
   * already gone, so several callers may remove the same application.
   */
  deleteApplication(accountId: string, applicationId: string): Promise<void>;
  /** Every key of an account: current keys, keys in a grace period, and the last revoked key per service. */
  listKeys(accountId: string, now: Date): Promise<KeyRecord[]>;
  /**
   * Replaces an application's key. Any key already in a grace period is ended at once; the replaced key is
   * accepted until `graceUntil`. Throws NOT_ROTATABLE when the backend cannot rotate keys of this service.
   */
  rotateKey(input: RotateKeyInput): Promise<RotatedKey>;
  /**
   * Stops every key of the account on a service at once (current and in grace); a later createApplication
   * issues a fresh key. Returns the previews of the keys stopped (empty when there were none).
   */
  revokeKeys(accountId: string, serviceId: string, now: Date, options?: RevokeOptions): Promise<string[]>;
  /**
   * The account id found for the identity earlier (by this process, or by any replica through shared state),
   * without asking the backend; null when none is known. A hint only: an account id never changes, so a stale one at worst names an account that is no longer
   * the identity's, which a fresh lookup made alongside reveals. Never throws; answers at once (no upstream call).
   */
  knownAccountId?(identity: Identity): Promise<string | null>;
  /** The longest grace period this backend can honour durably (seconds). */
  maxGraceSeconds(): number;
  /** Passed deadlines not yet recorded, oldest first, at most `limit`. */
  listDueDeadlines(now: Date, limit: number): Promise<DueDeadline[]>;
  /**
   * Optional: true when `listDueDeadlines` reads everything whatever its `limit` (3scale pages through every
   * application). The reconcile loop then reads once per run, up to its most items per run, instead of once
   * per page of items.
   */
  readonly listsDueDeadlinesWhole?: boolean;
  /**
   * Enforces one passed deadline and marks it done; idempotent (false when it was already done). A `duplicate`
   * is removed only if the pair's older application still exists; false when there is nothing to do. Its
   * backend calls are made one after another, so the loop's concurrency bounds the calls in flight.
   */
  completeDeadline(deadline: DueDeadline, now: Date): Promise<boolean>;
  /**
   * Hits of an application per interval of `window`, and every limit of its plan with what the current
   * period (as of `now`) has used. A backend whose usage counts cannot be read answers `hits: null` and
   * `used: null` rather than failing, as long as it can still list the limits.
   */
  getUsage(application: Application, window: UsageWindow, now: Date): Promise<ApplicationUsage>;
  /**
   * Optional: `completeDeadline` for a whole page in one step (one backend call, one commit), for backends
   * whose completion is local (the embedded store). Element i tells what `completeDeadline(deadlines[i])`
   * would have returned; all or none are marked done. Absent: the loop calls `completeDeadline` per item.
   */
  completeDeadlines?(deadlines: readonly DueDeadline[], now: Date): Promise<boolean[]>;
  /** Holders of applications, in pages (stable order by account id); `next` null on the last page. */
  listHolders(page: { after: string | null; limit: number }): Promise<{ holders: KeyHolder[]; next: string | null }>;
  /** Suspends an application for `reason`; idempotent. The gateway refuses its keys from then on. */
  suspendApplication(accountId: string, applicationId: string, reason: 'offboarding'): Promise<void>;
  /** Resumes an application only if MLaaS suspended it for `reason`; returns false otherwise. Idempotent. */
  resumeApplication(accountId: string, applicationId: string, reason: 'offboarding'): Promise<boolean>;
  /** Moves an application to another plan of its service (3scale change_plan); idempotent. */
  changePlan(accountId: string, applicationId: string, planId: string): Promise<void>;
  /** Resolves when the backend answers; rejects with a message naming what failed. */
  checkReady(): Promise<void>;
  close(): Promise<void>;
}
