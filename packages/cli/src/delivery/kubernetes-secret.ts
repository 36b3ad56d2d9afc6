/**
 * @module delivery/kubernetes-secret
 * A Kubernetes Secret manifest (YAML, `stringData`) holding the variables of `mlaas run`, for
 * `kubectl apply -f -` or a GitOps repository's sealing step.
 */
import { MlaasError } from '../lib/errors.js';

/** RFC 1123 subdomain: what Kubernetes accepts as an object name. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RFC 1123 label: what Kubernetes accepts as a namespace. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** What Kubernetes accepts as a key of a Secret's data. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Checks a Secret's name and namespace the way the API server would.
 * @throws MlaasError USAGE_ERROR saying what is wrong.
 *
 * @example
 * ```ts
 * assertSecretNames('ml-keys', 'team-a');
 * ```
 */
export function assertSecretNames(name: string, namespace: string | undefined): void {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new MlaasError(
      'USAGE_ERROR',
      `"${name}" is not a valid Secret name (lower-case letters, digits, "-" and ".", at most 253 characters)`,
    );
  }
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    throw new MlaasError(
      'USAGE_ERROR',
      `"${namespace}" is not a valid namespace (lower-case letters, digits and "-", at most 63 characters)`,
    );
  }
}

/**
 * A YAML double-quoted scalar: JSON's escapes (a subset of YAML's), plus every character outside printable
 * ASCII escaped, so no YAML reader can fold or reinterpret it.
 *
 * @example
 * ```ts
 * yamlString('a"b'); // '"a\\"b"'
 * ```
 */
export function yamlString(value: string): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/gu, (c) => {
    const code = c.codePointAt(0) as number;
    return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * The manifest.
 * @throws MlaasError USAGE_ERROR for an invalid name or namespace.
 *
 * @example
 * ```ts
 * renderSecret('ml-keys', 'team-a', { MLAAS_X_API_KEY: 'k' });
 * ```
 */
export function renderSecret(name: string, namespace: string | undefined, data: Record<string, string>): string {
  assertSecretNames(name, namespace);
  const lines = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}`,
    ...(namespace !== undefined ? [`  namespace: ${namespace}`] : []),
    '  labels:',
    '    app.kubernetes.io/managed-by: mlaas',
    'type: Opaque',
  ];
  const entries = Object.entries(data);
  if (entries.length === 0) lines.push('stringData: {}');
  else {
    lines.push('stringData:');
    for (const [key, value] of entries) {
      if (!SECRET_KEY.test(key)) throw new MlaasError('USAGE_ERROR', `"${key}" cannot be a key of a Secret`);
      lines.push(`  ${key}: ${yamlString(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
