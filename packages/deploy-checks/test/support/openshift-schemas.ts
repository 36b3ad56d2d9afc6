/**
 * @module test/support/openshift-schemas
 * JSON schemas of the OpenShift kinds this project ships: Route (route.openshift.io/v1), ImageStream
 * (image.openshift.io/v1) and BuildConfig (build.openshift.io/v1). Written from the OpenShift API reference
 * (https://docs.openshift.com/container-platform/4.16/rest_api/) because no maintained npm package carries
 * them. They cover the fields of those APIs, with their types, enums and required fields, and they reject
 * unknown fields, so a misspelt field fails here instead of being dropped by the API server.
 */
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import type { KubeObject } from './helm.js';

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const intOrString = { type: ['integer', 'string'] };
const quantityMap = { type: 'object', additionalProperties: intOrString };

const metadata = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 253, pattern: DNS_SUBDOMAIN },
    namespace: { type: 'string' },
    labels: stringMap,
    annotations: stringMap,
  },
};

const objectReference = {
  type: 'object',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['ImageStreamTag', 'ImageStreamImage', 'DockerImage'] },
    name: { type: 'string', minLength: 1 },
    namespace: { type: 'string' },
  },
};

const localObjectReference = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string' } },
};

const envVar = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1 }, value: { type: 'string' }, valueFrom: { type: 'object' } },
};

const routeTargetReference = {
  type: 'object',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['Service', ''] },
    name: { type: 'string', minLength: 1, maxLength: 253 },
    weight: { type: 'integer', minimum: 0, maximum: 256 },
  },
};

const route = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'route.openshift.io/v1' },
    kind: { const: 'Route' },
    metadata,
    spec: {
      type: 'object',
      required: ['to'],
      additionalProperties: false,
      properties: {
        host: { type: 'string', maxLength: 253, pattern: DNS_SUBDOMAIN },
        subdomain: { type: 'string', maxLength: 253 },
        path: { type: 'string', pattern: '^/' },
        to: routeTargetReference,
        alternateBackends: { type: 'array', maxItems: 3, items: routeTargetReference },
        port: {
          type: 'object',
          required: ['targetPort'],
          additionalProperties: false,
          properties: { targetPort: intOrString },
        },
        tls: {
          type: 'object',
          required: ['termination'],
          additionalProperties: false,
          properties: {
            termination: { type: 'string', enum: ['edge', 'reencrypt', 'passthrough'] },
            certificate: { type: 'string' },
            key: { type: 'string' },
            caCertificate: { type: 'string' },
            destinationCACertificate: { type: 'string' },
            insecureEdgeTerminationPolicy: { type: 'string', enum: ['Allow', 'None', 'Redirect', ''] },
            externalCertificate: localObjectReference,
          },
        },
        wildcardPolicy: { type: 'string', enum: ['None', 'Subdomain'] },
        httpHeaders: { type: 'object' },
      },
    },
    status: { type: 'object' },
  },
};

const imageStream = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'image.openshift.io/v1' },
    kind: { const: 'ImageStream' },
    metadata,
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        lookupPolicy: {
          type: 'object',
          required: ['local'],
          additionalProperties: false,
          properties: { local: { type: 'boolean' } },
        },
        dockerImageRepository: { type: 'string' },
        tags: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1 },
              annotations: stringMap,
              from: objectReference,
              reference: { type: 'boolean' },
              generation: { type: 'integer' },
              importPolicy: { type: 'object' },
              referencePolicy: {
                type: 'object',
                required: ['type'],
                additionalProperties: false,
                properties: { type: { type: 'string', enum: ['Source', 'Local'] } },
              },
            },
          },
        },
      },
    },
    status: { type: 'object' },
  },
};

const buildConfig = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'build.openshift.io/v1' },
    kind: { const: 'BuildConfig' },
    metadata,
    spec: {
      type: 'object',
      required: ['strategy'],
      additionalProperties: false,
      properties: {
        triggers: {
          type: 'array',
          items: {
            type: 'object',
            required: ['type'],
            additionalProperties: false,
            properties: {
              type: {
                type: 'string',
                enum: ['GitHub', 'Generic', 'ImageChange', 'ConfigChange', 'GitLab', 'Bitbucket'],
              },
              github: { type: 'object' },
              generic: { type: 'object' },
              imageChange: { type: 'object' },
              gitlab: { type: 'object' },
              bitbucket: { type: 'object' },
            },
          },
        },
        runPolicy: { type: 'string', enum: ['Serial', 'Parallel', 'SerialLatestOnly'] },
        serviceAccount: { type: 'string' },
        source: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { type: 'string', enum: ['Git', 'Dockerfile', 'Binary', 'Image', 'None'] },
            git: {
              type: 'object',
              required: ['uri'],
              additionalProperties: false,
              properties: {
                uri: { type: 'string', minLength: 1 },
                ref: { type: 'string' },
                httpProxy: { type: 'string' },
                httpsProxy: { type: 'string' },
                noProxy: { type: 'string' },
              },
            },
            contextDir: { type: 'string' },
            dockerfile: { type: 'string' },
            binary: { type: 'object' },
            images: { type: 'array' },
            secrets: { type: 'array' },
            configMaps: { type: 'array' },
            sourceSecret: localObjectReference,
          },
        },
        revision: { type: 'object' },
        strategy: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { type: 'string', enum: ['Docker', 'Source', 'Custom', 'JenkinsPipeline'] },
            dockerStrategy: {
              type: 'object',
              additionalProperties: false,
              properties: {
                from: objectReference,
                pullSecret: localObjectReference,
                noCache: { type: 'boolean' },
                env: { type: 'array', items: envVar },
                forcePull: { type: 'boolean' },
                dockerfilePath: { type: 'string' },
                buildArgs: { type: 'array', items: envVar },
                imageOptimizationPolicy: { type: 'string', enum: ['None', 'SkipLayers', 'SkipLayersAndWarn'] },
                volumes: { type: 'array' },
              },
            },
            sourceStrategy: { type: 'object' },
            customStrategy: { type: 'object' },
            jenkinsPipelineStrategy: { type: 'object' },
          },
        },
        output: {
          type: 'object',
          additionalProperties: false,
          properties: {
            to: objectReference,
            pushSecret: localObjectReference,
            imageLabels: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name'],
                additionalProperties: false,
                properties: { name: { type: 'string' }, value: { type: 'string' } },
              },
            },
          },
        },
        resources: {
          type: 'object',
          additionalProperties: false,
          properties: { limits: quantityMap, requests: quantityMap, claims: { type: 'array' } },
        },
        postCommit: { type: 'object' },
        completionDeadlineSeconds: { type: 'integer', minimum: 1 },
        nodeSelector: stringMap,
        mountTrustedCA: { type: 'boolean' },
        successfulBuildsHistoryLimit: { type: 'integer', minimum: 0 },
        failedBuildsHistoryLimit: { type: 'integer', minimum: 0 },
      },
    },
    status: { type: 'object' },
  },
};

const SCHEMAS: Record<string, AnySchema> = {
  'route.openshift.io/v1 Route': route,
  'image.openshift.io/v1 ImageStream': imageStream,
  'build.openshift.io/v1 BuildConfig': buildConfig,
};

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validators = new Map<string, ValidateFunction>();

/** Whether the kind is one of the OpenShift kinds this module validates. */
export function isOpenShiftKind(apiVersion: string, kind: string): boolean {
  return `${apiVersion} ${kind}` in SCHEMAS || /\.openshift\.io\//.test(apiVersion);
}

/**
 * Validates an OpenShift object; returns one line per problem (empty when valid).
 * @example assert.deepEqual(validateOpenShift(route), []);
 */
export function validateOpenShift(object: KubeObject): string[] {
  const key = `${object.apiVersion} ${object.kind}`;
  const schema = SCHEMAS[key];
  if (schema === undefined) return [`no schema for ${key}`];
  let validate = validators.get(key);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
