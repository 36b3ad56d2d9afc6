/**
 * @module test/support/kube-schema
 * Offline validation of rendered objects against the Kubernetes API schemas: the `kubernetes-models` classes
 * (generated from the Kubernetes OpenAPI document) for built-in kinds, `@kubernetes-models/prometheus-operator`
 * for ServiceMonitor, and the OpenShift schemas of ./openshift-schemas.ts for Route, BuildConfig and ImageStream
 * (no maintained npm package carries those). Fields the API does not know are reported too (./unknown-fields.ts).
 */
import type { KubeObject } from './helm.js';
import { validateOpenShift, isOpenShiftKind } from './openshift-schemas.js';
import { findUnknownFields } from './unknown-fields.js';

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** Module that holds the model classes of an apiVersion, or null when the apiVersion is unknown here. */
function modelModule(apiVersion: string): string | null {
  if (apiVersion === 'monitoring.coreos.com/v1')
    return '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
  if (/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) return `kubernetes-models/${apiVersion}`;
  return null;
}

/** Why an object is invalid: one line per schema error, with its JSON path. */
function describeErrors(error: unknown): string {
  const errors = (error as { errors?: Array<{ instancePath?: string; message?: string; params?: unknown }> }).errors;
  if (!Array.isArray(errors)) return (error as Error).message;
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params ?? {})}`).join('\n');
}

/**
 * Validates one object; resolves to a list of problems (empty when valid).
 * @example assert.deepEqual(await validateObject(deployment), []);
 */
export async function validateObject(object: KubeObject): Promise<string[]> {
  const where = `${object.kind}/${object.metadata?.name ?? '?'} (${object.apiVersion})`;
  if (isOpenShiftKind(object.apiVersion, object.kind)) {
    return validateOpenShift(object).map((problem) => `${where}: ${problem}`);
  }
  const moduleName = modelModule(object.apiVersion);
  if (moduleName === null) return [`${where}: no schema for apiVersion ${object.apiVersion}`];
  let models: Record<string, unknown>;
  try {
    models = (await import(moduleName)) as Record<string, unknown>;
  } catch {
    return [`${where}: no schema for apiVersion ${object.apiVersion}`];
  }
  const Model = models[object.kind] as ModelClass | undefined;
  if (typeof Model !== 'function') return [`${where}: no schema for kind ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${where}:\n${describeErrors(error)}`];
  }
}

/**
 * Validates every object against its schema and looks for unknown fields; resolves to all problems found.
 * @example assert.deepEqual(await validateObjects(render(helm)), []);
 */
export async function validateObjects(objects: KubeObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) problems.push(...(await validateObject(object)));
  problems.push(...findUnknownFields(objects));
  return problems;
}
