/**
 * @module http/routes
 * The Admin API routes the fake serves, each with its endpoint key and handler. Paths are matched without
 * the `/admin/api/` prefix and the format suffix; `:name` segments become path parameters (URL-decoded,
 * since app keys may contain reserved characters).
 */
import type { EndpointKey } from '../endpoints.js';
import { findAccount, listUsers, readAccount, signup } from '../handlers/accounts.js';
import type { Handler } from '../handlers/admin-request.js';
import { createKey, deleteKey, listKeys } from '../handlers/application-keys.js';
import {
  createFieldsDefinition,
  deleteFieldsDefinition,
  listFieldsDefinitions,
  readFieldsDefinition,
} from '../handlers/fields-definitions.js';
import {
  changeApplicationPlan,
  createApplication,
  deleteApplication,
  findApplication,
  listAllApplications,
  listApplications,
  readApplication,
  transitionApplication,
  updateApplication,
} from '../handlers/applications.js';
import { listPlans, listServices, readProxy, readService } from '../handlers/services.js';
import type { TokenScope } from '../seed/seed-types.js';
import { applicationUsage, listMetrics, listPlanLimits } from '../usage/usage-handlers.js';

/** The path prefix of every Admin API route. */
export const ADMIN_API_PREFIX = '/admin/api/';
/** The path prefix of the Analytics API routes (a token needs the `stats` scope). */
export const STATS_API_PREFIX = '/stats/';

interface Route {
  methods: readonly string[];
  segments: readonly string[];
  key: EndpointKey;
  handler: Handler;
  scope?: TokenScope;
}

const route = (methods: string | readonly string[], pattern: string, key: EndpointKey, handler: Handler): Route => ({
  methods: typeof methods === 'string' ? [methods] : methods,
  segments: pattern.split('/'),
  key,
  handler,
});

/** In match order: literal routes before the parameterised ones they overlap (`accounts/find` vs `accounts/:id`). */
const ROUTES: readonly Route[] = [
  route('GET', 'accounts/find', 'accounts.find', findAccount),
  route('GET', 'accounts/:id', 'accounts.read', readAccount),
  route('GET', 'accounts/:account_id/users', 'users.list', listUsers),
  route('POST', 'signup', 'signup', signup),
  route('GET', 'services', 'services.list', listServices),
  route('GET', 'services/:id', 'services.read', readService),
  route('GET', 'services/:service_id/proxy', 'proxy.read', readProxy),
  route('GET', 'services/:service_id/application_plans', 'plans.list', listPlans),
  route('GET', 'applications/find', 'applications.find', findApplication),
  route('GET', 'applications', 'applications.index', listAllApplications),
  route('GET', 'fields_definitions', 'fields_definitions.list', listFieldsDefinitions),
  route('POST', 'fields_definitions', 'fields_definitions.create', createFieldsDefinition),
  route('GET', 'fields_definitions/:id', 'fields_definitions.read', readFieldsDefinition),
  route('DELETE', 'fields_definitions/:id', 'fields_definitions.delete', deleteFieldsDefinition),
  route('GET', 'accounts/:account_id/applications', 'applications.list', listApplications),
  route('POST', 'accounts/:account_id/applications', 'applications.create', createApplication),
  route('GET', 'accounts/:account_id/applications/:id', 'applications.read', readApplication),
  // Rails resource routes take PATCH as well as PUT for update.
  route(['PUT', 'PATCH'], 'accounts/:account_id/applications/:id', 'applications.update', updateApplication),
  route('DELETE', 'accounts/:account_id/applications/:id', 'applications.delete', deleteApplication),
  route(
    'PUT',
    'accounts/:account_id/applications/:id/suspend',
    'applications.suspend',
    transitionApplication('suspend'),
  ),
  route('PUT', 'accounts/:account_id/applications/:id/resume', 'applications.resume', transitionApplication('resume')),
  route('PUT', 'accounts/:account_id/applications/:id/accept', 'applications.accept', transitionApplication('accept')),
  route('PUT', 'accounts/:account_id/applications/:id/change_plan', 'applications.change_plan', changeApplicationPlan),
  route('GET', 'accounts/:account_id/applications/:application_id/keys', 'keys.list', listKeys),
  route('POST', 'accounts/:account_id/applications/:application_id/keys', 'keys.create', createKey),
  route('DELETE', 'accounts/:account_id/applications/:application_id/keys/:key', 'keys.delete', deleteKey),
  route('GET', 'services/:service_id/metrics', 'metrics.list', listMetrics),
  route('GET', 'application_plans/:application_plan_id/limits', 'limits.list', listPlanLimits),
];

/** Analytics API routes, relative to {@link STATS_API_PREFIX}. */
const STATS_ROUTES: readonly Route[] = [
  {
    ...route('GET', 'applications/:application_id/usage', 'stats.application_usage', applicationUsage),
    scope: 'stats',
  },
];

export interface RouteMatch {
  key: EndpointKey;
  handler: Handler;
  pathParams: Record<string, string>;
  /** The token scope the route needs; `account_management` when absent. */
  scope?: TokenScope;
}

/** The route for a method and a path relative to {@link ADMIN_API_PREFIX} (no format suffix), if any. */
export function matchRoute(
  method: string,
  relativePath: string,
  routes: readonly Route[] = ROUTES,
): RouteMatch | undefined {
  const parts = relativePath.split('/');
  for (const candidate of routes) {
    if (!candidate.methods.includes(method) || candidate.segments.length !== parts.length) continue;
    const pathParams: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < parts.length && matched; i += 1) {
      const want = candidate.segments[i] as string;
      const got = parts[i] as string;
      if (want.startsWith(':')) {
        let decoded: string;
        try {
          decoded = decodeURIComponent(got);
        } catch {
          decoded = got;
        }
        if (decoded === '') matched = false;
        else pathParams[want.slice(1)] = decoded;
      } else if (want !== got) {
        matched = false;
      }
    }
    if (matched)
      return {
        key: candidate.key,
        handler: candidate.handler,
        pathParams,
        ...(candidate.scope ? { scope: candidate.scope } : {}),
      };
  }
  return undefined;
}

/** The route for a full path (no format suffix) under either prefix, if any. */
export function matchAnyRoute(method: string, path: string): RouteMatch | undefined {
  if (path.startsWith(STATS_API_PREFIX)) return matchRoute(method, path.slice(STATS_API_PREFIX.length), STATS_ROUTES);
  if (path.startsWith(ADMIN_API_PREFIX)) return matchRoute(method, path.slice(ADMIN_API_PREFIX.length));
  return undefined;
}
