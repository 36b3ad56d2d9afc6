/**
 * @module spec-check
 * Checks a recorded request against 3scale's official OpenAPI description of the Account Management API
 * (a copy ships in `spec/`, Apache-2.0, with its NOTICE): is it a known operation (path and method), are
 * the required parameters there, and is every parameter one the operation defines? The spec lists paths
 * with `.xml`; `.json` is the same operation. It models the admin token as a required
 * `access_token` parameter and has no security schemes, so HTTP Basic counts as sending it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { splitSuffix } from './http/format.js';
import type { RecordedRequest } from './record/request-log.js';

/** The spec copy, one level up from this module: the package's `spec/` from `src/` and `dist/` alike. */
export const SPEC_PATH = fileURLToPath(new URL('../spec/account_management_api.json', import.meta.url));

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const TOKEN = 'access_token';

interface SpecOperation {
  method: string;
  template: string;
  segments: string[];
  literalCount: number;
  /** Query parameter name → required. */
  query: Map<string, boolean>;
  /** Body property names, or undefined when the operation has no request body. */
  body: Set<string> | undefined;
  bodyRequired: Set<string>;
  bodyAllowsMore: boolean;
}

type Json = Record<string, unknown>;

let operations: SpecOperation[] | undefined;

function resolve(spec: Json, node: unknown): Json {
  let current = node as Json | undefined;
  for (let depth = 0; current && typeof current.$ref === 'string' && depth < 10; depth += 1) {
    const ref = current.$ref as string;
    current = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((acc, part) => (acc as Json | undefined)?.[part], spec) as Json | undefined;
  }
  return current ?? {};
}

function loadOperations(): SpecOperation[] {
  if (operations) return operations;
  const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
  const ops: SpecOperation[] = [];
  for (const [template, item] of Object.entries((spec.paths ?? {}) as Record<string, Json>)) {
    const segments = splitSuffix(template).path.split('/');
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const query = new Map<string, boolean>();
      for (const raw of (op.parameters ?? []) as unknown[]) {
        const p = resolve(spec, raw);
        if (p.in === 'query' && typeof p.name === 'string') query.set(p.name, p.required === true);
      }
      let body: Set<string> | undefined;
      const bodyRequired = new Set<string>();
      let bodyAllowsMore = false;
      const content = (resolve(spec, op.requestBody).content ?? {}) as Record<string, Json>;
      const media = content['application/x-www-form-urlencoded'] ?? content['application/json'];
      if (media) {
        const schema = resolve(spec, media.schema);
        body = new Set(Object.keys((schema.properties ?? {}) as Json));
        for (const name of (schema.required ?? []) as string[]) bodyRequired.add(name);
        bodyAllowsMore = schema.additionalProperties !== undefined && schema.additionalProperties !== false;
      }
      ops.push({
        method: method.toUpperCase(),
        template,
        segments,
        literalCount: segments.filter((s) => !s.startsWith('{')).length,
        query,
        body,
        bodyRequired,
        bodyAllowsMore,
      });
    }
  }
  operations = ops;
  return ops;
}

function pathMatches(segments: string[], parts: string[]): boolean {
  return (
    segments.length === parts.length &&
    segments.every((s, i) => (s.startsWith('{') && s.endsWith('}') ? parts[i] !== '' : s === parts[i]))
  );
}

/**
 * The problems of a request against the spec; an empty list when it is a valid operation with its
 * required parameters and no unknown ones.
 * @example
 * for (const request of fake.requests()) assert.deepEqual(checkAgainstSpec(request), [], request.path);
 */
/**
 * The Analytics API is described apart from the Account Management API; its one operation the helper uses,
 * Application Traffic by Metric, is checked against its documented parameters here.
 */
const ANALYTICS_USAGE = /^\/stats\/applications\/\d+\/usage$/;
const ANALYTICS_PARAMS = new Set([
  'access_token',
  'metric_name',
  'since',
  'until',
  'period',
  'granularity',
  'timezone',
  'skip_change',
]);

function checkAnalytics(method: string, path: string, queryKeys: readonly string[], where: string): string[] {
  if (!ANALYTICS_USAGE.test(path) || method !== 'GET') return [`${where}: no such path in the spec`];
  return queryKeys.filter((key) => !ANALYTICS_PARAMS.has(key)).map((key) => `${where}: unknown parameter ${key}`);
}

export function checkAgainstSpec(
  request: Pick<RecordedRequest, 'method' | 'path' | 'queryKeys' | 'bodyKeys' | 'auth'>,
): string[] {
  const problems: string[] = [];
  const method = request.method.toUpperCase();
  const { path, suffix } = splitSuffix(request.path);
  const where = `${method} ${request.path}`;
  if (suffix !== undefined && suffix !== 'json' && suffix !== 'xml') {
    problems.push(`${where}: format suffix ".${suffix}" is not served (only .json and .xml)`);
  }
  if (path.startsWith('/stats/')) return [...problems, ...checkAnalytics(method, path, request.queryKeys, where)];
  const parts = path.split('/');
  const candidates = loadOperations()
    .filter((op) => pathMatches(op.segments, parts))
    .sort((a, b) => b.literalCount - a.literalCount);
  if (candidates.length === 0) return [...problems, `${where}: no such path in the spec`];
  const best = candidates[0] as SpecOperation;
  const op = candidates.find((c) => c.method === method && c.literalCount === best.literalCount);
  if (!op) {
    const allowed = candidates.filter((c) => c.literalCount === best.literalCount).map((c) => c.method);
    return [...problems, `${where}: method not in the spec for ${best.template} (spec has ${allowed.join(', ')})`];
  }

  const inQuery = new Set(request.queryKeys);
  const inBody = new Set(request.bodyKeys);
  const tokenSent =
    request.auth === 'basic' || request.auth === 'query' || request.auth === 'form' || request.auth === 'json';
  const tokenRequired = op.query.get(TOKEN) === true || op.bodyRequired.has(TOKEN);
  if (tokenRequired && !tokenSent)
    problems.push(`${where}: missing required parameter ${TOKEN} (or HTTP Basic credentials)`);

  for (const [name, required] of op.query) {
    if (name === TOKEN || !required || inQuery.has(name)) continue;
    problems.push(
      inBody.has(name)
        ? `${where}: required query parameter ${name} was sent in the body`
        : `${where}: missing required query parameter ${name}`,
    );
  }
  for (const name of op.bodyRequired) {
    if (name === TOKEN || inBody.has(name)) continue;
    problems.push(
      inQuery.has(name)
        ? `${where}: required body parameter ${name} was sent in the query string`
        : `${where}: missing required body parameter ${name}`,
    );
  }
  for (const name of inQuery) {
    if (name === TOKEN || op.query.has(name)) continue;
    if (op.body?.has(name)) {
      if (!op.bodyRequired.has(name))
        problems.push(`${where}: parameter ${name} belongs in the request body, not the query string`);
    } else {
      problems.push(`${where}: unknown query parameter ${name}`);
    }
  }
  for (const name of inBody) {
    if (name === TOKEN) continue;
    if (op.body === undefined) {
      if (!(op.query.get(name) === true))
        problems.push(`${where}: unexpected body parameter ${name} (the operation has no request body)`);
    } else if (!op.body.has(name) && !op.bodyAllowsMore) {
      problems.push(`${where}: unknown body parameter ${name}`);
    }
  }
  return problems;
}
