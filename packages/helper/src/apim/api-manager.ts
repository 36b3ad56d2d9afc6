/**
 * @module apim/api-manager
 * The `ApiManager` port: what provisioning needs from an API-management system (3scale, or the embedded
 * store), in domain terms. Adapters translate their system into these types; nothing else knows a
 * 3scale field name or an SQL table.
 */
import type { AuthenticationMethod } from '@mlaas/contract';

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
}

export interface CreateApplicationInput {
  account: Account;
  service: ApiService;
  plan: ServicePlan;
  /** Names and descriptions mark applications as made by MLaaS. */
  name: string;
  description: string;
}

/** How a read may be answered. */
export interface ReadOptions {
  /** Bypass any cache: the answer must reflect every write made so far (used under provisioning locks). */
  fresh?: boolean;
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
  /** Resolves when the backend answers; rejects with a message naming what failed. */
  checkReady(): Promise<void>;
  close(): Promise<void>;
}
