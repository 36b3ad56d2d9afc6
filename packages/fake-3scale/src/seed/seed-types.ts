/**
 * @module seed/seed-types
 * The seed format: a JSON document describing a 3scale tenant (developer accounts with their users, API
 * products with proxies and application plans, existing applications). Field names follow 3scale's own
 * (snake_case), so a seed reads like the API responses it produces. Every field but a few names is optional;
 * the defaults are 3scale's.
 */

/**
 * 3scale's authentication mode of a product (`backend_version` is a string). `oauth` is the legacy OAuth 2
 * mode older tenants still hold: its applications carry a client id and secret like `oidc` ones.
 */
export type BackendVersion = '1' | '2' | 'oidc' | 'oauth';
/** Where the gateway reads credentials. */
export type CredentialsLocation = 'headers' | 'query' | 'authorization';
/** `deleted`: marked for deletion; the Admin API no longer shows the product or its applications. */
export type ServiceState = 'incomplete' | 'published' | 'hidden' | 'offline' | 'deprecated' | 'deleted';
export type DeploymentOption = 'hosted' | 'self_managed' | 'service_mesh_istio';
export type PlanState = 'published' | 'hidden';
/** `created`: signed up but not activated (approval required, or no password given). */
export type AccountState = 'created' | 'pending' | 'approved' | 'rejected' | 'suspended' | 'scheduled_for_deletion';
export type UserState = 'active' | 'pending' | 'suspended';
export type UserRole = 'admin' | 'member';
export type ApplicationState = 'live' | 'pending' | 'suspended' | 'deprecated';
/**
 * A product's service plans, which decide subscriptions: `default` — a default service plan exists, so
 * Signup Express subscribes new accounts and creates an application on the default application plan;
 * `published` — a plan exists but is not the default (applications can be created, signup skips the
 * product); `none` — no service plan, so application create answers 422 "You cannot subscribe to that service."
 */
export type ServicePlanSetup = 'default' | 'published' | 'none';

/** A whole tenant. */
export interface Seed {
  /** Used in generated gateway URLs (`https://{system_name}-{tenant}-apicast-production.…`). Default `"fake"`. */
  tenant?: string;
  services?: SeedService[];
  /** Adds this many generated products after `services` (for pagination tests); see `seedWithServices`. */
  generated_services?: number;
  accounts?: SeedAccount[];
  applications?: SeedApplication[];
  /** Tenant-wide switches; every one defaults to 3scale's default. */
  settings?: SeedSettings;
  /**
   * Extra admin access tokens besides the one the fake is created with (which is an admin's read-write
   * token with the Account Management scope).
   */
  access_tokens?: SeedAccessToken[];
}

/** Tenant-wide behaviour that 3scale lets an operator change. */
export interface SeedSettings {
  /** The default account plan requires approval: signed-up accounts stay `created`. Default false. */
  account_approval_required?: boolean;
  /** Passwords given at signup need at least 15 characters. Default true (porta's strong passwords). */
  strong_passwords?: boolean;
  /**
   * The service plans screen is shown: then signup subscribes only products with a default service plan;
   * otherwise (the default) it also subscribes those whose service plan is merely published.
   */
  service_plans_ui_visible?: boolean;
}

/** Scopes an access token can hold. The Admin API endpoints served here need `account_management`. */
export type TokenScope = 'account_management' | 'finance' | 'cms' | 'stats' | 'policy_registry';
/** Sections a member user may be allowed (porta's admin sections). */
export type MemberSection = 'partners' | 'plans' | 'monitoring' | 'finance' | 'settings' | 'portal' | 'policy_registry';

/** An access token of a user of the provider account. */
export interface SeedAccessToken {
  value: string;
  /** Default `["account_management"]`. */
  scopes?: TokenScope[];
  /** `ro` (read only) or `rw`. Default `rw`. */
  permission?: 'ro' | 'rw';
  /** The owner's role. Default `admin`. */
  owner_role?: UserRole;
  /** Sections a member owner is allowed; `account_management` needs `partners`. Default none. */
  member_permissions?: MemberSection[];
  /** Products (system names) a member owner may see; absent: all of them. */
  allowed_services?: string[];
}

/** An API product ("service") with its proxy and application plans. */
export interface SeedService {
  id?: number;
  name: string;
  /** Default: the name as a slug. Unique in the tenant. */
  system_name?: string;
  backend_version: BackendVersion;
  /** Default `incomplete`, 3scale's initial state. */
  state?: ServiceState;
  /** Default `hosted`. */
  deployment_option?: DeploymentOption;
  /** `null` or absent: omitted from JSON, like 3scale does with nil values. */
  description?: string | null;
  support_email?: string | null;
  /** Default true: applications of a `2` product get a first app key. */
  mandatory_app_key?: boolean;
  /** Default `default`; see {@link ServicePlanSetup}. */
  service_plan?: ServicePlanSetup;
  proxy?: SeedProxy;
  plans?: SeedPlan[];
}

/** The product's gateway configuration. */
export interface SeedProxy {
  /**
   * Production Public Base URL. Absent: generated for hosted products, none for self-managed ones (then
   * omitted from JSON). `null`: none.
   */
  endpoint?: string | null;
  /** Staging Public Base URL. Absent: generated. `null`: none. */
  sandbox_endpoint?: string | null;
  api_backend?: string | null;
  /** Default `query`. */
  credentials_location?: CredentialsLocation;
  /** Default `user_key`. */
  auth_user_key?: string;
  /** Default `app_id`. */
  auth_app_id?: string;
  /** Default `app_key`. */
  auth_app_key?: string;
  oidc_issuer_endpoint?: string | null;
  oidc_issuer_type?: 'keycloak' | 'rest';
  jwt_claim_with_client_id?: string | null;
  jwt_claim_with_client_id_type?: 'plain' | 'liquid';
}

/** An application plan. */
export interface SeedPlan {
  id?: number;
  name: string;
  /** Default: the name as a slug. Unique within the product. */
  system_name?: string;
  /** Default `published`. */
  state?: PlanState;
  /** The product's default application plan; at most one per product. */
  default?: boolean;
  /** A per-application customised copy. */
  custom?: boolean;
  /** Applications on this plan start `pending`. */
  approval_required?: boolean;
  setup_fee?: number;
  cost_per_month?: number;
  /** `null` renders as 0 in JSON and an empty element in XML. */
  trial_period_days?: number | null;
}

/** A developer ("buyer") account. */
export interface SeedAccount {
  id?: number;
  org_name: string;
  /** Default `approved`. */
  state?: AccountState;
  users: SeedUser[];
}

/** A user of a developer account; `accounts/find` searches admins and members alike. */
export interface SeedUser {
  id?: number;
  username: string;
  email: string;
  /** Default `admin` for an account's first user, `member` for the others. */
  role?: UserRole;
  /** Default `active`. */
  state?: UserState;
}

/** An application that exists before the first request. */
export interface SeedApplication {
  id?: number;
  /** The username of any user of the owning account. */
  account: string;
  /** The product's `system_name`. */
  service: string;
  /** The plan's `system_name`; default: the product's default plan. */
  plan?: string;
  /** Default: `pending` on an approval-required plan, else `live`. */
  state?: ApplicationState;
  name?: string;
  description?: string;
  /** Default: generated, as 3scale does. */
  user_key?: string;
  /** Default: generated. */
  application_id?: string;
  /** App keys / client secret; default: one generated key where 3scale makes one. */
  keys?: string[];
}
