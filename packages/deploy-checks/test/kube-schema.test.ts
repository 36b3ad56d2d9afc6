/**
 * The offline validation the chart checks rely on: it must accept a correct object and catch the mistakes a
 * template makes (wrong type, missing required field, misspelt field, unknown kind). Needs no helm.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from './support/helm.js';
import { validateObjects } from './support/kube-schema.js';

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'helper' },
    spec: {
      selector: { matchLabels: { app: 'helper' } },
      template: {
        metadata: { labels: { app: 'helper' } },
        spec: {
          containers: [
            {
              name: 'helper',
              image: 'mlaas-helper:0.1.0',
              ports: [{ name: 'http', containerPort: 5000 }],
              readinessProbe: { httpGet: { path: '/api/ready', port: 'http' } },
              securityContext: { capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

function container(object: KubeObject): Record<string, unknown> {
  return (object.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec
    .containers[0] as Record<string, unknown>;
}

describe('offline Kubernetes validation', () => {
  it('accepts a valid Deployment', async () => {
    assert.deepEqual(await validateObjects([deployment()]), []);
  });

  it('catches a wrong type', async () => {
    const object = deployment();
    (container(object).ports as Array<Record<string, unknown>>)[0] = { name: 'http', containerPort: '5000' };
    const problems = await validateObjects([object]);
    assert.match(problems.join('\n'), /containerPort must be integer/);
  });

  it('catches a missing required field', async () => {
    const object = deployment();
    delete container(object).name;
    assert.match((await validateObjects([object])).join('\n'), /containers\/0 must have required property name/);
  });

  it('catches a misspelt field, which the API server would drop with a warning', async () => {
    const object = deployment();
    container(object).readinesProbe = container(object).readinessProbe;
    (container(object).securityContext as Record<string, unknown>).runAsNonroot = true;
    const problems = await validateObjects([object]);
    assert.ok(
      problems.some((p) => p.endsWith('containers[0].readinesProbe: unknown field')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.endsWith('securityContext.runAsNonroot: unknown field')),
      problems.join('\n'),
    );
  });

  it('catches a misspelt field of a ServiceMonitor', async () => {
    const monitor: KubeObject = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'helper' },
      spec: { selector: {}, endpoints: [{ port: 'http', intervall: '30s' }] },
    };
    assert.match((await validateObjects([monitor])).join('\n'), /endpoints\[0\]\.intervall: unknown field/);
  });

  it('refuses a kind it has no schema for, instead of passing it unchecked', async () => {
    const problems = await validateObjects([
      { apiVersion: 'example.corp/v1', kind: 'Widget', metadata: { name: 'w' } },
    ]);
    assert.match(problems.join('\n'), /no schema for apiVersion example\.corp\/v1/);
  });
});
