/**
 * @module represent/_json
 * JSON output as Ruby writes it. Ruby renders a Float with a decimal point (`0.0`), which
 * `JSON.stringify` cannot, so plan prices go through {@link JsonFloat} and this small serializer.
 */

/** A number that Ruby holds as a Float (plan `setup_fee`, `cost_per_month`). */
export class JsonFloat {
  constructor(readonly value: number) {}
}

/** What representers build: JSON values, floats, and `undefined` for "omit this property". */
export type JsonOut = string | number | boolean | null | undefined | JsonFloat | JsonOut[] | { [key: string]: JsonOut };

/** Serializes, dropping `undefined` properties (3scale omits nil-valued properties). */
export function toJson(value: JsonOut): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof JsonFloat) {
    return Number.isInteger(value.value) ? value.value.toFixed(1) : String(value.value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => toJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, v] of Object.entries(value)) {
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${toJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A timestamp as 3scale renders it: ISO 8601 in UTC, whole seconds (`2025-01-10T09:00:00Z`). */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `value`, or `undefined` (omitted) when it is null — Roar's default for nil properties. */
export function omitNull<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}
