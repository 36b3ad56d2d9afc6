/**
 * @module seed/seed-types
 * The seed format: a JSON document describing a 3scale tenant (developer accounts with their users, API
 * products with proxies and application plans, existing applications). Field names follow 3scale's own
 * (snake_case), so a seed reads like the API responses it produces. Every field but a few names is optional;
 * the defaults are 3scale's.
 */

/** 3scale's authentication mode of a product (`backend_version` is a string). */
export type BackendVersion = '1' | '2' | 'oidc';
/** Where the gateway reads credentials. */
export type CredentialsLocation = 'headers' | 'query' | 'authorization';
export type ServiceState = 'incomplete' | 'published' | 'hidden' | 'offline' | 'deprecated';
export type DeploymentOption = 'hosted' | 'self_managed' | 'service_mesh_istio';
export type PlanState = 'published' | 'hidden';
export type AccountState = 'approved' | 'pending' | 'rejected' | 'suspended';
export type UserState = 'active' | 'pending' | 'suspended';
export type UserRole = 'admin' | 'member';
export type ApplicationState = 'live' | 'pending' | 'suspended';
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
