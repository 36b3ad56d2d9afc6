/**
 * @module apim/threescale/mappers
 * 3scale JSON → domain types. The only place that knows 3scale's field names. Omitted fields are treated as
 * null (3scale omits nil-valued properties); anything that is not the expected shape raises UPSTREAM_ERROR,
 * never an untyped exception. docs/threescale.md describes the shapes and what each field means.
 */
import type { AuthenticationMethod } from '@mlaas/contract';
import { HelperError } from '../../errors/helper-error.js';
import { previewKey } from '../../lib/key-preview.js';
import type {
  Account,
  AccountState,
  ApiService,
  Application,
  ApplicationState,
  CredentialLocation,
  ServicePlan,
} from '../api-manager.js';

type Json = Record<string, unknown>;

function shapeError(what: string): HelperError {
  return new HelperError('UPSTREAM_ERROR', `3scale sent ${what} in an unexpected shape.`);
}

function object(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw shapeError(what);
  return value as Json;
}

/** `{"<collection>":[{"<entity>":{…}}]}` → the inner objects. */
export function unwrapCollection(body: unknown, collection: string, entity: string): Json[] {
  const list = object(body, collection)[collection];
  if (!Array.isArray(list)) throw shapeError(collection);
  return list.map((item) => object(object(item, entity)[entity], entity));
}

/** `{"<entity>":{…}}` → the inner object. */
export function unwrapEntity(body: unknown, entity: string): Json {
  return object(object(body, entity)[entity], entity);
}

function id(value: unknown, what: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return value;
  throw shapeError(what);
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

const ACCOUNT_STATES: readonly AccountState[] = ['created', 'approved', 'pending', 'rejected', 'suspended'];

/** 3scale's account state as the domain knows it: an account on its way out is treated as suspended. */
function accountStateOf(state: string | null): AccountState {
  if (state === 'scheduled_for_deletion') return 'suspended';
  // An unknown state is not "approved": provisioning refuses keys until an operator looks.
  return ACCOUNT_STATES.includes(state as AccountState) ? (state as AccountState) : 'pending';
}

export function toAccount(json: Json, username: string, email: string | null): Account {
  return { id: id(json.id, 'an account'), username, email, state: accountStateOf(text(json.state)) };
}

/** `backend_version` is the service's authentication mode, a string: "1" user key, "2" app id + key, "oidc". */
export function authenticationOf(backendVersion: unknown): AuthenticationMethod | null {
  switch (backendVersion) {
    case '1':
    case 1:
      return 'api_key';
    case '2':
    case 2:
      return 'app_id_app_key';
    case 'oidc':
    case 'oauth':
      return 'oidc';
    default:
      return null;
  }
}

/** Where APIcast reads credentials: headers | query | authorization (HTTP Basic); default query. */
export function credentialsOf(proxy: Json | null, method: AuthenticationMethod): CredentialLocation {
  const where = text(proxy?.credentials_location) ?? 'query';
  const location = where === 'headers' ? 'header' : where === 'authorization' ? 'basic' : 'query';
  if (method === 'oidc' || location === 'basic') {
    return {
      location: method === 'oidc' ? 'header' : location,
      keyParameter: method === 'oidc' ? 'Authorization' : null,
      appIdParameter: null,
    };
  }
  if (method === 'app_id_app_key') {
    return {
      location,
      keyParameter: text(proxy?.auth_app_key) ?? 'app_key',
      appIdParameter: text(proxy?.auth_app_id) ?? 'app_id',
    };
  }
  return { location, keyParameter: text(proxy?.auth_user_key) ?? 'user_key', appIdParameter: null };
}

/** A service and its proxy → the domain service; null for an authentication mode MLaaS cannot serve. */
export function toService(service: Json, proxy: Json | null): ApiService | null {
  const method = authenticationOf(service.backend_version);
  if (method === null) return null;
  const name = text(service.name) ?? text(service.system_name) ?? String(service.id);
  return {
    id: id(service.id, 'a service'),
    name,
    systemName: text(service.system_name) ?? id(service.id, 'a service'),
    description: text(service.description) ?? '',
    endpoint: text(proxy?.endpoint),
    authenticationMethod: method,
    credentials: credentialsOf(proxy, method),
  };
}

export function toPlan(plan: Json, serviceId: string): ServicePlan {
  return {
    id: id(plan.id, 'a plan'),
    name: text(plan.name) ?? text(plan.system_name) ?? String(plan.id),
    serviceId,
    isDefault: plan.default === true,
    state: plan.state === 'published' ? 'published' : 'hidden',
    isCustom: plan.custom === true,
    approvalRequired: plan.approval_required === true,
  };
}

const APPLICATION_STATES: readonly ApplicationState[] = ['live', 'pending', 'suspended'];

/**
 * An application → the domain application. `appKey` supplies the key of app-id services, whose keys are not
 * in the application body. Returns null for states MLaaS does not hand out (e.g. deprecated).
 */
export function toApplication(app: Json, appKey: string | null = null): Application | null {
  const state = text(app.state);
  if (!APPLICATION_STATES.includes(state as ApplicationState)) return null;
  const base = {
    id: id(app.id, 'an application'),
    accountId: id(app.account_id, 'an application'),
    serviceId: id(app.service_id, 'an application'),
    planId: id(app.plan_id, 'an application'),
    planName: text(app.plan_name) ?? '',
    state: state as ApplicationState,
  };
  const userKey = text(app.user_key);
  if (userKey !== null) return { ...base, apiKey: userKey, keyPreview: previewKey(userKey), appId: null };
  const clientId = text(app.client_id);
  const clientSecret = text(app.client_secret);
  if (clientId !== null && clientSecret !== null)
    return { ...base, apiKey: clientSecret, keyPreview: previewKey(clientSecret), appId: clientId };
  const applicationId = text(app.application_id);
  if (applicationId !== null && appKey !== null)
    return { ...base, apiKey: appKey, keyPreview: previewKey(appKey), appId: applicationId };
  return null;
}

/** Whether an application body needs its keys fetched separately (backend version 2). */
export function needsKeys(app: Json): boolean {
  return text(app.user_key) === null && text(app.client_secret) === null && text(app.application_id) !== null;
}

/** `{"keys":[{"key":{"value":…}}]}` → the first key value, or null. */
export function firstKey(body: unknown): string | null {
  for (const key of unwrapCollection(body, 'keys', 'key')) {
    const value = text(key.value);
    if (value !== null) return value;
  }
  return null;
}
