/**
 * @module test/support/unknown-fields
 * Finds fields the Kubernetes API does not know (a misspelt `readinesProbe`, a field at the wrong level).
 * The OpenAPI schemas behind `kubernetes-models` allow unknown fields, and an API server only warns about
 * them and drops them, so a typo would ship silently. This walks each rendered object along the TypeScript
 * declarations that `kubernetes-models` generates from the same OpenAPI document, using the TypeScript
 * compiler's type checker.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type { KubeObject } from './helm.js';

const require = createRequire(import.meta.url);

/** The declaration file of a kind's model class, or null when the apiVersion is not a Kubernetes one here. */
function declarationFile(apiVersion: string, kind: string): string | null {
  if (apiVersion === 'monitoring.coreos.com/v1') {
    const root = dirname(require.resolve('@kubernetes-models/prometheus-operator/package.json'));
    return join(root, 'monitoring.coreos.com/v1', `${kind}.d.ts`);
  }
  if (apiVersion.includes('.openshift.io/')) return null;
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion)) return null;
  const root = dirname(require.resolve('kubernetes-models/package.json'));
  return join(root, apiVersion, `${kind}.d.ts`);
}

let cached: { files: string[]; program: ts.Program } | null = null;

function programFor(files: string[]): ts.Program {
  const wanted = [...new Set([...(cached?.files ?? []), ...files])].sort();
  if (cached !== null && wanted.length === cached.files.length) return cached.program;
  const program = ts.createProgram(wanted, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  cached = { files: wanted, program };
  return program;
}

/** The `I<Kind>` interface declared in a model's declaration file. */
function modelType(program: ts.Program, file: string, kind: string): ts.Type | null {
  const source = program.getSourceFile(file);
  if (source === undefined) return null;
  const checker = program.getTypeChecker();
  for (const statement of source.statements) {
    if (ts.isInterfaceDeclaration(statement) && statement.name.text === `I${kind}`) {
      return checker.getTypeAtLocation(statement.name);
    }
  }
  return null;
}

function walk(checker: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, problems: string[]): void {
  const type = checker.getNonNullableType(declared);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  if (Array.isArray(value)) {
    if (checker.isArrayType(type)) {
      const element = checker.getTypeArguments(type as ts.TypeReference)[0];
      if (element !== undefined) value.forEach((item, i) => walk(checker, item, element, `${path}[${i}]`, problems));
    }
    return;
  }
  if (value === null || typeof value !== 'object') return;
  // A map (`{ [key: string]: T }`): any key, values of T.
  const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
  if (index !== undefined) {
    for (const [key, item] of Object.entries(value)) walk(checker, item, index.type, `${path}.${key}`, problems);
    return;
  }
  const objectTypes = type.isUnion() ? type.types.filter((t) => t.flags & ts.TypeFlags.Object) : [type];
  if (objectTypes.length !== 1) return;
  const objectType = objectTypes[0] as ts.Type;
  if (checker.getPropertiesOfType(objectType).length === 0) return;
  for (const [key, item] of Object.entries(value)) {
    const property = checker.getPropertyOfType(objectType, key);
    if (property === undefined) {
      problems.push(`${path}.${key}: unknown field`);
      continue;
    }
    walk(checker, item, checker.getTypeOfSymbol(property), `${path}.${key}`, problems);
  }
}

/**
 * The unknown fields of rendered objects, one line each (empty when all fields are known). Objects of kinds
 * without Kubernetes declarations (OpenShift's) are left to their own strict schemas.
 * @example assert.deepEqual(findUnknownFields(objects), []);
 */
export function findUnknownFields(objects: KubeObject[]): string[] {
  const targets = objects
    .map((object) => ({ object, file: declarationFile(object.apiVersion, object.kind) }))
    .filter((t): t is { object: KubeObject; file: string } => t.file !== null);
  if (targets.length === 0) return [];
  const program = programFor(targets.map((t) => t.file));
  const checker = program.getTypeChecker();
  const problems: string[] = [];
  for (const { object, file } of targets) {
    const where = `${object.kind}/${object.metadata?.name ?? '?'}`;
    const type = modelType(program, file, object.kind);
    if (type === null) {
      problems.push(`${where}: no declaration for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    walk(checker, object, type, where, problems);
  }
  return problems;
}
