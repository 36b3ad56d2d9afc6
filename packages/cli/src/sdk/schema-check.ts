/**
 * @module sdk/schema-check
 * Checks a value against the JSON Schema subset the API contract is written in (TypeBox output: objects,
 * unions, literals, strings with patterns, integers with bounds, arrays). The contract's schemas reach the
 * CLI as plain data (`_contract-schemas.ts`), so checking a response does not load the schema library —
 * which alone takes longer to load than a whole `mlaas services list`.
 */

/** A JSON Schema node of the supported subset. */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';
  const?: unknown;
  enum?: readonly unknown[];
  anyOf?: readonly JsonSchema[];
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  [annotation: string]: unknown;
}

/** Keywords {@link findSchemaProblem} understands; anything else in a schema must be an annotation. */
export const SUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  'type',
  'const',
  'enum',
  'anyOf',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
]);
/** Keywords that carry no constraint. */
export const ANNOTATION_KEYWORDS: ReadonlySet<string> = new Set(['$id', 'description', 'title', 'examples', 'default']);

const patterns = new Map<string, RegExp>();

/**
 * The first place where a value breaks a schema, as `path: problem`, or `null` when it conforms.
 *
 * @example
 * ```ts
 * findSchemaProblem({ type: 'object', required: ['a'], properties: { a: { type: 'string' } } }, {}); // '/a: is missing'
 * ```
 */
export function findSchemaProblem(schema: JsonSchema, value: unknown, path = ''): string | null {
  const at = path === '' ? '/' : path;
  if (schema.anyOf !== undefined) {
    if (!schema.anyOf.some((option) => findSchemaProblem(option, value, path) === null))
      return `${at}: matches none of the allowed forms`;
  }
  if ('const' in schema && value !== schema.const) return `${at}: must be ${JSON.stringify(schema.const)}`;
  if (schema.enum !== undefined && !schema.enum.includes(value)) return `${at}: is not one of the allowed values`;
  if (schema.type !== undefined && !hasType(schema.type, value))
    return `${at}: must be ${schema.type === 'integer' ? 'an integer' : `a ${schema.type}`}`;

  if (typeof value === 'string') {
    if (schema.minLength !== undefined && [...value].length < schema.minLength) return `${at}: is too short`;
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) return `${at}: is too long`;
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) return `${at}: has an unexpected form`;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return `${at}: is below ${schema.minimum}`;
    if (schema.maximum !== undefined && value > schema.maximum) return `${at}: is above ${schema.maximum}`;
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    for (let i = 0; i < value.length; i += 1) {
      const problem = findSchemaProblem(schema.items, value[i], `${path}/${i}`);
      if (problem !== null) return problem;
    }
  }
  if (isPlainObject(value) && (schema.properties !== undefined || schema.required !== undefined)) {
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(value, name)) return `${path}/${name}: is missing`;
    }
    for (const [name, item] of Object.entries(value)) {
      const property = schema.properties?.[name];
      if (property === undefined) {
        if (schema.additionalProperties === false) return `${path}/${name}: is not expected`;
        continue;
      }
      const problem = findSchemaProblem(property, item, `${path}/${name}`);
      if (problem !== null) return problem;
    }
  }
  return null;
}

function hasType(type: NonNullable<JsonSchema['type']>, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function regex(pattern: string): RegExp {
  let compiled = patterns.get(pattern);
  if (compiled === undefined) {
    compiled = new RegExp(pattern, 'u');
    patterns.set(pattern, compiled);
  }
  return compiled;
}
