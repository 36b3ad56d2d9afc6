/**
 * @module tenant/records
 * The fake tenant's stored records. They hold 3scale's data, not its JSON: representers in `represent/`
 * decide which fields each format shows and in which order.
 */
import type {
  AccountState,
  ApplicationState,
  BackendVersion,
  CredentialsLocation,
  DeploymentOption,
  PlanState,
  ServicePlanSetup,
  ServiceState,
  UserRole,
  UserState,
} from '../seed/seed-types.js';

export interface AccountRecord {
  id: number;
  orgName: string;
  state: AccountState;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserRecord {
  id: number;
  accountId: number;
  username: string;
  email: string;
  role: UserRole;
  state: UserState;
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceRecord {
  id: number;
  name: string;
  systemName: string;
  state: ServiceState;
  backendVersion: BackendVersion;
  deploymentOption: DeploymentOption;
  description: string | null;
  supportEmail: string | null;
  mandatoryAppKey: boolean;
  servicePlan: ServicePlanSetup;
  /** The product's "hits" metric, shown in XML only. */
  metricId: number;
  /** Id of the product's OIDC configuration (rendered inside OIDC applications). */
  oidcConfigurationId: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProxyRecord {
  serviceId: number;
  endpoint: string | null;
  sandboxEndpoint: string | null;
  apiBackend: string | null;
  credentialsLocation: CredentialsLocation;
  authUserKey: string;
  authAppId: string;
  authAppKey: string;
  secretToken: string;
  oidcIssuerEndpoint: string | null;
  oidcIssuerType: string | null;
  jwtClaimWithClientId: string | null;
  jwtClaimWithClientIdType: string | null;
  lockVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PlanRecord {
  id: number;
  serviceId: number;
  name: string;
  systemName: string;
  state: PlanState;
  setupFee: number;
  costPerMonth: number;
  trialPeriodDays: number | null;
  cancellationPeriod: number;
  approvalRequired: boolean;
  isDefault: boolean;
  custom: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface KeyRecord {
  value: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApplicationRecord {
  id: number;
  accountId: number;
  serviceId: number;
  planId: number;
  state: ApplicationState;
  name: string | null;
  description: string | null;
  /** Always set (3scale generates one for every application); shown only for backend version 1. */
  userKey: string;
  providerVerificationKey: string;
  /** Always set; shown for backend versions 2 and oidc (as the client id). */
  applicationId: string;
  redirectUrl: string | null;
  firstTrafficAt: string | null;
  firstDailyTrafficAt: string | null;
  keys: KeyRecord[];
  /** Values of the tenant's defined extra fields for applications (porta `extra_fields`), by field name. */
  extraFields: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

/** Targets of a fields definition, as the API names them. */
export type FieldsTarget = 'Account' | 'User' | 'Cinstance';

/** A custom (extra) field the tenant defined for accounts, users or applications. */
export interface FieldsDefinitionRecord {
  id: number;
  target: FieldsTarget;
  name: string;
  label: string;
  required: boolean;
  hidden: boolean;
  readOnly: boolean;
  choices: string[];
  position: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The tenant's own default account plan, bought by every developer account (shown in account XML). */
export interface AccountPlanRecord {
  id: number;
  name: string;
}
