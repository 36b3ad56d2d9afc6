/**
 * The chart's key lifecycle options: expiry and grace settings in the ConfigMap, and the reconcile loop either
 * inside the helper pods (default) or in a CronJob that the Service never selects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findHelm, helmSkipReason, render, single, template, type KubeObject } from './support/helm.js';
import { validateObjects } from './support/kube-schema.js';

const helm = findHelm();
const skip = helmSkipReason(helm);
const HA = 'ci/ha-redis-values.yaml';

interface CronJobSpec {
  schedule: string;
  concurrencyPolicy: string;
  jobTemplate: {
    spec: {
      template: {
        metadata: { labels: Record<string, string> };
        spec: { containers: { command: string[]; envFrom: unknown[]; env?: { name: string }[] }[] };
      };
    };
  };
}

describe('helm chart: key lifecycle and reconcile', { skip }, () => {
  it('runs the loop in the pods by default, with the key settings in the ConfigMap, and no CronJob', () => {
    const objects = render(helm, { valuesFiles: [HA], set: { 'keys.ttlDays': 90 } });
    const data = single(objects, 'ConfigMap').data ?? {};
    assert.equal(data.KEY_TTL_DAYS, '90');
    assert.equal(data.RECONCILE_INTERVAL_SECONDS, '60');
    assert.equal(data.KEY_ROTATION_MAX_GRACE_SECONDS, '604800');
    assert.equal(
      objects.some((o) => o.kind === 'CronJob'),
      false,
    );
  });

  it('with cronJob.enabled: a valid CronJob runs `mlaas-helper reconcile`, and the pods run no loop', async () => {
    const objects: KubeObject[] = render(helm, {
      valuesFiles: [HA],
      set: { 'reconcile.cronJob.enabled': true, 'reconcile.cronJob.schedule': '*/10 * * * *' },
    });
    assert.deepEqual(await validateObjects(objects), []);
    assert.equal((single(objects, 'ConfigMap').data ?? {}).RECONCILE_INTERVAL_SECONDS, '0');
    const cron = single(objects, 'CronJob').spec as unknown as CronJobSpec;
    assert.equal(cron.schedule, '*/10 * * * *');
    assert.equal(cron.concurrencyPolicy, 'Forbid');
    const pod = cron.jobTemplate.spec.template;
    const [container] = pod.spec.containers;
    assert.deepEqual(container?.command.slice(-1), ['reconcile']);
    assert.ok(
      container?.env?.some((e) => e.name === 'REDIS_URL'),
      'the CronJob takes the lock through Redis',
    );
    const service = single(objects, 'Service').spec as { selector: Record<string, string> };
    const selected = Object.entries(service.selector).every(([key, value]) => pod.metadata.labels[key] === value);
    assert.equal(selected, false, 'the Service does not select reconcile pods');
  });

  it('rejects an out-of-range grace in values.schema.json', () => {
    const result = template(helm, { valuesFiles: [HA], set: { 'keys.rotationMaxGraceSeconds': -1 } });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /rotationMaxGraceSeconds/);
  });

  it('entitlements and offboarding: the policy mounted as ENTITLEMENTS_FILE, the client secret from a Secret', async () => {
    const objects: KubeObject[] = render(helm, {
      valuesFiles: [HA],
      set: {
        'reconcile.cronJob.enabled': true,
        'entitlements.policy': 'default: deny',
        'offboarding.clientId': 'mlaas-offboarding',
        'offboarding.existingSecret': 'mlaas-offboarding',
      },
    });
    assert.deepEqual(await validateObjects(objects), []);
    const settings = objects.find((o) => o.kind === 'ConfigMap' && !o.metadata.name.endsWith('-entitlements'));
    const data = settings?.data ?? {};
    assert.equal(data.KEYCLOAK_ADMIN_CLIENT_ID, 'mlaas-offboarding');
    assert.equal(data.ENTITLEMENTS_FILE, '/etc/mlaas/entitlements/entitlements.yaml');
    assert.ok(!JSON.stringify(data).includes('SECRET='), 'no secret in the ConfigMap');
    const policy = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-entitlements'));
    assert.equal(policy?.data?.['entitlements.yaml'], 'default: deny');
    const cron = single(objects, 'CronJob').spec as unknown as CronJobSpec;
    const [container] = cron.jobTemplate.spec.template.spec.containers;
    const secretEnv = container?.env?.find((e) => e.name === 'KEYCLOAK_ADMIN_CLIENT_SECRET') as
      { valueFrom: { secretKeyRef: { name: string; key: string } } } | undefined;
    assert.deepEqual(secretEnv?.valueFrom.secretKeyRef, {
      name: 'mlaas-offboarding',
      key: 'keycloak-admin-client-secret',
    });
  });
});
