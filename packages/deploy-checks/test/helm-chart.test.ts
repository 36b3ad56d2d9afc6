/**
 * The Helm chart deploy/helm/mlaas-helper, rendered by a real helm: it lints, every value set renders objects
 * that are valid for the Kubernetes (and OpenShift, prometheus-operator) APIs, the pods run restricted, and a
 * release is never rendered from placeholders or unsafe replica settings. Skipped locally without helm;
 * in CI (CI=true) a missing helm fails these tests.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CHART_DIR,
  REPO_ROOT,
  findHelm,
  helmSkipReason,
  lint,
  render,
  single,
  template,
  type KubeObject,
  type RenderOptions,
} from './support/helm.js';
import { validateObjects } from './support/kube-schema.js';

const helm = findHelm();
const skip = helmSkipReason(helm);
if (skip) console.warn(`# helm chart tests skipped: ${skip}`);

/** The value sets CI renders: deploy/helm/mlaas-helper/ci/*.yaml. */
const CI_VALUE_SETS = readdirSync(join(CHART_DIR, 'ci'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const MINIMAL: RenderOptions = { valuesFiles: ['ci/minimal-values.yaml'] };
const INLINE_KEY = '0123456789abcdef0123456789abcdef';

interface Container {
  name: string;
  image: string;
  ports?: Array<{ name: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Array<{
    name: string;
    emptyDir?: unknown;
    secret?: { secretName: string; items?: Array<{ key: string; path: string }> };
  }>;
  terminationGracePeriodSeconds?: number;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
}

function podSpec(objects: KubeObject[]): PodSpec {
  const deployment = single(objects, 'Deployment');
  return (deployment.spec as { template: { spec: PodSpec } }).template.spec;
}

function helperContainer(objects: KubeObject[]): Container {
  const container = podSpec(objects).containers.find((c) => c.name === 'helper');
  assert.ok(container, 'the Deployment runs a container named helper');
  return container;
}

function configData(objects: KubeObject[]): Record<string, string> {
  return single(objects, 'ConfigMap').data ?? {};
}

function checksum(objects: KubeObject[]): string {
  const deployment = single(objects, 'Deployment');
  const annotations = (deployment.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template
    .metadata.annotations;
  const value = annotations?.['checksum/config'];
  assert.match(value ?? '', /^[a-f0-9]{64}$/, 'checksum/config is a sha256');
  return value ?? '';
}

/** Renders with the values that must fail, and returns helm's error output. */
function renderFailure(options: RenderOptions): string {
  const result = template(helm, options);
  assert.notEqual(result.status, 0, `rendering was expected to fail:\n${result.stdout.slice(0, 500)}`);
  return result.stderr;
}

describe('helm chart: lint and render', { skip }, () => {
  it('lints cleanly (--strict) with values-example.yaml', () => {
    const result = lint(helm, { valuesFiles: ['values-example.yaml'] });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  });

  it('lints cleanly with every CI value set', () => {
    for (const valuesFile of CI_VALUE_SETS) {
      const result = lint(helm, { valuesFiles: [`ci/${valuesFile}`] });
      assert.equal(result.status, 0, `${valuesFile}:\n${result.stdout}${result.stderr}`);
    }
  });

  it('has the value sets CI promises: minimal, HA with Redis, OpenShift Route, existing Secret, metrics port', () => {
    for (const name of ['minimal', 'ha-redis', 'openshift-route', 'existing-secret', 'metrics-port']) {
      assert.ok(CI_VALUE_SETS.includes(`${name}-values.yaml`), `ci/${name}-values.yaml`);
    }
  });

  for (const valuesFile of ['values-example.yaml', ...CI_VALUE_SETS.map((f) => `ci/${f}`)]) {
    it(`renders ${valuesFile} into objects valid for the Kubernetes API`, async () => {
      const objects = render(helm, { valuesFiles: [valuesFile] });
      assert.ok(objects.length >= 5, 'at least Deployment, Service, ConfigMap, ServiceAccount, NetworkPolicy');
      assert.deepEqual(await validateObjects(objects), []);
      for (const kind of ['Deployment', 'Service', 'ConfigMap', 'ServiceAccount']) single(objects, kind);
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      assert.equal(new Set(names).size, names.length, 'no two objects share a kind and name');
    });
  }

  it('renders NOTES.txt for every value set', () => {
    // `helm template` skips NOTES.txt, so a copy of the chart renders it into a ConfigMap.
    const copy = mkdtempSync(join(tmpdir(), 'mlaas-helper-notes-'));
    try {
      cpSync(CHART_DIR, copy, { recursive: true });
      const notes = readFileSync(join(CHART_DIR, 'templates/NOTES.txt'), 'utf8');
      writeFileSync(join(copy, 'templates/_notes-check.tpl'), `{{- define "notes-check" -}}\n${notes}\n{{- end -}}\n`);
      writeFileSync(
        join(copy, 'templates/notes-check.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes-check\ndata:\n  notes: {{ include "notes-check" . | toJson }}\n',
      );
      for (const valuesFile of ['values-example.yaml', ...CI_VALUE_SETS.map((f) => `ci/${f}`)]) {
        const objects = render(helm, { valuesFiles: [valuesFile], chartDir: copy });
        const text = objects.find((o) => o.metadata.name === 'notes-check')?.data?.notes ?? '';
        assert.match(text, /MLaaS helper .* is deployed as mlaas-mlaas-helper in namespace mlaas/, valuesFile);
        assert.match(text, /rollout status deployment\/mlaas-mlaas-helper/, valuesFile);
        assert.doesNotMatch(text, new RegExp(INLINE_KEY), `${valuesFile}: no secret in the notes`);
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('renders the optional objects only when asked: Ingress, Route, ServiceMonitor, HPA, PDB', () => {
    const minimal = render(helm, MINIMAL).map((o) => o.kind);
    for (const kind of ['Ingress', 'Route', 'ServiceMonitor', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      assert.ok(!minimal.includes(kind), `minimal renders no ${kind}`);
    }
    const example = render(helm, { valuesFiles: ['values-example.yaml'] }).map((o) => o.kind);
    for (const kind of ['Route', 'ServiceMonitor', 'PodDisruptionBudget', 'NetworkPolicy'])
      assert.ok(example.includes(kind), kind);
  });
});

describe('helm chart: the pod', { skip }, () => {
  it('runs with the restricted security context', () => {
    const objects = render(helm, MINIMAL);
    const pod = podSpec(objects);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext?.seccompProfile, { type: 'RuntimeDefault' });
    assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC);
    assert.equal(pod.automountServiceAccountToken, false, 'the helper never calls the Kubernetes API');
    const context = helperContainer(objects).securityContext ?? {};
    assert.equal(context.runAsNonRoot, true);
    assert.equal(context.allowPrivilegeEscalation, false);
    assert.equal(context.readOnlyRootFilesystem, true);
    assert.equal(context.privileged ?? false, false);
    assert.deepEqual(context.capabilities?.drop, ['ALL']);
    assert.equal(context.capabilities?.add, undefined);
    assert.deepEqual(context.seccompProfile, { type: 'RuntimeDefault' });
  });

  it('gives the read-only root filesystem a writable /tmp and data directory', () => {
    const objects = render(helm, MINIMAL);
    const mounts = new Map(helperContainer(objects).volumeMounts?.map((m) => [m.mountPath, m.name]));
    const volumes = new Map(podSpec(objects).volumes?.map((v) => [v.name, v]));
    assert.ok(volumes.get(mounts.get('/tmp') ?? '')?.emptyDir, '/tmp is an emptyDir');
    const dataDir = configData(objects).MLAAS_DATA_DIR ?? '';
    assert.ok(volumes.get(mounts.get(dataDir) ?? '')?.emptyDir, 'MLAAS_DATA_DIR is a volume');
  });

  it('probes liveness and startup on /api/health and readiness on /api/ready, on the API port', () => {
    const container = helperContainer(render(helm, MINIMAL));
    assert.equal(container.livenessProbe?.httpGet?.path, '/api/health');
    assert.equal(container.startupProbe?.httpGet?.path, '/api/health');
    assert.equal(container.readinessProbe?.httpGet?.path, '/api/ready');
    const http = container.ports?.find((p) => p.name === 'http');
    assert.equal(http?.containerPort, 5000);
    for (const probe of [container.livenessProbe, container.startupProbe, container.readinessProbe]) {
      assert.ok(probe?.httpGet?.port === 'http' || probe?.httpGet?.port === 5000);
    }
  });

  it('listens on every interface on port 5000 and trusts the Route/Ingress proxy', () => {
    const data = configData(render(helm, MINIMAL));
    assert.equal(data.HOST, '0.0.0.0');
    assert.equal(data.PORT, '5000');
    assert.equal(data.TRUST_PROXY, 'true');
    assert.equal(data.APIM_BACKEND, 'threescale');
  });

  it('serves the web page with the client mlaas-web by default; webUi turns it off or names another client', () => {
    const data = configData(render(helm, MINIMAL));
    assert.equal(data.WEB_UI, 'true');
    assert.equal(data.WEB_UI_CLIENT_ID, 'mlaas-web');
    const off = configData(render(helm, { ...MINIMAL, set: { 'webUi.enabled': false } }));
    assert.equal(off.WEB_UI, 'false');
    assert.match(
      renderFailure({ ...MINIMAL, setString: { 'webUi.clientId': 'no spaces allowed' } }),
      /webUi\/clientId|webUi\.clientId/,
    );
  });

  it('stops gracefully: preStop sleep, then SIGTERM with time to finish in-flight requests', () => {
    const objects = render(helm, MINIMAL);
    const sleep = helperContainer(objects).lifecycle?.preStop?.exec?.command;
    assert.deepEqual(sleep?.slice(0, 1), ['sleep']);
    const grace = podSpec(objects).terminationGracePeriodSeconds ?? 30;
    const shutdownSeconds = Number(configData(objects).SHUTDOWN_TIMEOUT_MS) / 1000;
    assert.ok(Number(sleep?.[1]) + shutdownSeconds < grace, 'preStop + SHUTDOWN_TIMEOUT_MS fit in the grace period');
    const failure = renderFailure({ ...MINIMAL, set: { terminationGracePeriodSeconds: 10, shutdownTimeoutMs: 20000 } });
    assert.match(
      failure,
      /terminationGracePeriodSeconds \(10\) must be longer than lifecycle\.preStopSleepSeconds \+ shutdownTimeoutMs/,
    );
  });

  it('mounts the 3scale token as a file and points THREESCALE_ADMIN_API_KEY_FILE at it', () => {
    const objects = render(helm, MINIMAL);
    const data = configData(objects);
    const file = data.THREESCALE_ADMIN_API_KEY_FILE ?? '';
    assert.equal(data.THREESCALE_ADMIN_API_KEY, undefined);
    const mount = helperContainer(objects).volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
    assert.ok(mount?.readOnly, 'the secret volume is mounted read-only');
    const volume = podSpec(objects).volumes?.find((v) => v.name === mount?.name);
    const secret = single(objects, 'Secret');
    assert.equal(volume?.secret?.secretName, secret.metadata.name);
    const item = volume?.secret?.items?.[0];
    assert.equal(`${mount?.mountPath}/${item?.path}`, file);
    assert.ok(item && item.key in (secret.data ?? {}), 'the mounted key exists in the Secret');
  });

  it('leaves user, group and fsGroup to OpenShift when the cluster serves routes', () => {
    for (const options of [
      { ...MINIMAL, extraArgs: ['--api-versions', 'route.openshift.io/v1'] },
      { valuesFiles: ['ci/openshift-route-values.yaml'] },
    ]) {
      const objects = render(helm, options);
      const pod = podSpec(objects).securityContext ?? {};
      for (const field of ['runAsUser', 'runAsGroup', 'fsGroup']) assert.equal(pod[field], undefined, field);
      assert.equal(pod.runAsNonRoot, true);
      assert.equal(helperContainer(objects).securityContext?.runAsUser, undefined);
    }
    const plain = podSpec(render(helm, MINIMAL)).securityContext ?? {};
    assert.equal(plain.runAsUser, 1000, 'elsewhere the image user is set explicitly');
  });

  it('exposes an edge-TLS Route to the Service on OpenShift', () => {
    const objects = render(helm, { valuesFiles: ['ci/openshift-route-values.yaml'] });
    const route = single(objects, 'Route');
    const spec = route.spec as {
      to: { kind: string; name: string };
      port: { targetPort: string };
      tls: { termination: string; insecureEdgeTerminationPolicy: string };
    };
    assert.equal(spec.tls.termination, 'edge');
    assert.equal(spec.tls.insecureEdgeTerminationPolicy, 'Redirect');
    assert.deepEqual(
      { kind: spec.to.kind, name: spec.to.name },
      { kind: 'Service', name: single(objects, 'Service').metadata.name },
    );
    assert.equal(spec.port.targetPort, 'http');
  });

  it('serves /metrics on a separate port when asked, and the ServiceMonitor scrapes that port', () => {
    const objects = render(helm, { valuesFiles: ['ci/metrics-port-values.yaml'] });
    assert.equal(configData(objects).METRICS_PORT, '9100');
    assert.ok(helperContainer(objects).ports?.some((p) => p.name === 'metrics' && p.containerPort === 9100));
    const endpoints = (single(objects, 'ServiceMonitor').spec as { endpoints: Array<{ port: string; path: string }> })
      .endpoints;
    assert.deepEqual(
      endpoints.map((e) => [e.port, e.path]),
      [['metrics', '/metrics']],
    );
    const servicePorts = (single(objects, 'Service').spec as { ports: Array<{ name: string }> }).ports.map(
      (p) => p.name,
    );
    assert.deepEqual(servicePorts, ['http', 'metrics']);
    assert.match(renderFailure({ ...MINIMAL, set: { 'metrics.port': 5000 } }), /metrics\.port/);
  });
});

describe('helm chart: configuration and secrets', { skip }, () => {
  it('keeps secret values out of the ConfigMap and of every object but the Secret', () => {
    const redisPassword = 's3cret-redis-password';
    const objects = render(helm, { valuesFiles: ['ci/ha-redis-values.yaml'] });
    const secret = single(objects, 'Secret');
    const decoded = Object.values(secret.data ?? {}).map((v) => Buffer.from(v, 'base64').toString('utf8'));
    assert.ok(decoded.includes(INLINE_KEY), 'the token is in the Secret');
    assert.ok(
      decoded.some((v) => v.includes(redisPassword)),
      'the Redis URL is in the Secret',
    );
    for (const value of Object.values(configData(objects))) {
      assert.ok(!value.includes(INLINE_KEY) && !value.includes(redisPassword), `ConfigMap value ${value}`);
    }
    const others = JSON.stringify(objects.filter((o) => o.kind !== 'Secret'));
    for (const secretText of [INLINE_KEY, redisPassword, Buffer.from(INLINE_KEY).toString('base64')]) {
      assert.ok(!others.includes(secretText), 'no secret value outside the Secret');
    }
  });

  it('passes REDIS_URL from the Secret, never as a plain value', () => {
    const env = helperContainer(render(helm, { valuesFiles: ['ci/ha-redis-values.yaml'] })).env ?? [];
    const redis = env.find((e) => e.name === 'REDIS_URL');
    assert.equal(redis?.value, undefined);
    assert.deepEqual(redis?.valueFrom?.secretKeyRef, { name: 'mlaas-mlaas-helper', key: 'redis-url' });
  });

  it('creates no Secret with existing Secrets, and mounts the named ones', () => {
    const objects = render(helm, { valuesFiles: ['ci/existing-secret-values.yaml'] });
    assert.equal(objects.filter((o) => o.kind === 'Secret').length, 0);
    const volume = podSpec(objects).volumes?.find((v) => v.secret !== undefined);
    assert.equal(volume?.secret?.secretName, 'mlaas-3scale-token');
    assert.equal(volume?.secret?.items?.[0]?.key, 'token');
    const redis = helperContainer(objects).env?.find((e) => e.name === 'REDIS_URL');
    assert.deepEqual(redis?.valueFrom?.secretKeyRef, { name: 'mlaas-redis', key: 'url' });
  });

  it('rolls the pods when a setting or an inline secret changes, and only then', () => {
    const base = checksum(render(helm, MINIMAL));
    assert.notEqual(checksum(render(helm, { ...MINIMAL, set: { 'keycloak.realm': 'other-realm' } })), base);
    assert.notEqual(checksum(render(helm, { ...MINIMAL, set: { 'rateLimits.initPerMinute': 5 } })), base);
    assert.notEqual(
      checksum(
        render(helm, { ...MINIMAL, setString: { 'threescale.adminApiKey': 'fedcba9876543210fedcba9876543210' } }),
      ),
      base,
    );
    assert.equal(checksum(render(helm, MINIMAL)), base, 'the same values give the same checksum');
    assert.equal(
      checksum(render(helm, { ...MINIMAL, set: { 'resources.requests.cpu': '300m' } })),
      base,
      'resources do not touch the configuration',
    );
  });

  it('only sets environment variables that the helper reads', () => {
    const sources = readHelperSources();
    const objects = render(helm, { valuesFiles: ['ci/ha-redis-values.yaml'] });
    const names = [...Object.keys(configData(objects)), ...(helperContainer(objects).env ?? []).map((e) => e.name)];
    for (const name of names) {
      const read = name.endsWith('_FILE') ? name.slice(0, -'_FILE'.length) : name;
      assert.ok(new RegExp(`\\b${read}\\b`).test(sources), `${name} is read by packages/helper/src`);
    }
  });

  it('adds extraConfig settings to the ConfigMap as strings, but no secret and no override of a chart value', () => {
    const data = configData(render(helm, { valuesFiles: ['ci/ha-redis-values.yaml'] }));
    assert.equal(data.OIDC_CLOCK_TOLERANCE_SECONDS, '45');
    assert.equal(data.REQUEST_TIMEOUT_MS, '20000');
    const secret = renderFailure({
      ...MINIMAL,
      set: { 'extraConfig.THREESCALE_ADMIN_API_KEY': 'abc' },
      extraArgs: ['--skip-schema-validation'],
    });
    assert.match(secret, /extraConfig\.THREESCALE_ADMIN_API_KEY looks like a secret/);
    const override = renderFailure({ ...MINIMAL, set: { 'extraConfig.LOG_LEVEL': 'debug' } });
    assert.match(override, /extraConfig\.LOG_LEVEL is set by the chart/);
  });

  it('renders several replicas with an HPA (autoscaling/v2) and a PodDisruptionBudget, without a fixed replica count', () => {
    const objects = render(helm, { valuesFiles: ['ci/ha-redis-values.yaml'] });
    const deployment = single(objects, 'Deployment');
    assert.equal((deployment.spec as { replicas?: number }).replicas, undefined, 'the HPA owns the replica count');
    const hpa = single(objects, 'HorizontalPodAutoscaler');
    assert.equal(hpa.apiVersion, 'autoscaling/v2');
    assert.deepEqual((hpa.spec as { scaleTargetRef: unknown }).scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    single(objects, 'PodDisruptionBudget');
  });
});

/** Every value rule: the failing values, and the words the message must contain. */
const VALUE_RULES: Array<{ title: string; options: RenderOptions; message: RegExp }> = [
  {
    title: 'keycloak.url missing',
    options: {
      set: {
        'keycloak.realm': 'mlaas',
        'keycloak.clientId': 'mlaas-cli',
        'threescale.adminApiUrl': 'https://3scale-admin.corp.internal',
        'threescale.adminApiKey': INLINE_KEY,
      },
    },
    message: /keycloak\.url is required: set it to your Keycloak base URL/,
  },
  {
    title: 'keycloak.realm missing',
    options: { ...MINIMAL, set: { 'keycloak.realm': '' } },
    message: /keycloak\.realm is required: set it to the Keycloak realm/,
  },
  {
    title: 'keycloak.clientId missing',
    options: { ...MINIMAL, set: { 'keycloak.clientId': '' } },
    message: /keycloak\.clientId is required: set it to the Keycloak client id/,
  },
  {
    title: 'threescale.adminApiUrl missing',
    options: { ...MINIMAL, set: { 'threescale.adminApiUrl': '' } },
    message: /threescale\.adminApiUrl is required: set it to your 3scale admin portal URL/,
  },
  {
    title: 'neither threescale.adminApiKey nor threescale.existingSecret',
    options: { ...MINIMAL, set: { 'threescale.adminApiKey': '' } },
    message: /threescale\.adminApiKey is required: set it to a 3scale access token, or set threescale\.existingSecret/,
  },
  {
    title: 'keycloak.url on example.com',
    options: { ...MINIMAL, set: { 'keycloak.url': 'https://keycloak.example.com' } },
    message: /keycloak\.url is a placeholder: set it to your Keycloak base URL/,
  },
  {
    title: 'keycloak.url with your-',
    options: { ...MINIMAL, set: { 'keycloak.url': 'https://your-keycloak.corp.internal' } },
    message: /keycloak\.url is a placeholder/,
  },
  {
    title: 'keycloak.realm your-realm',
    options: { ...MINIMAL, set: { 'keycloak.realm': 'your-realm' } },
    message: /keycloak\.realm is a placeholder: set it to the Keycloak realm/,
  },
  {
    title: 'keycloak.clientId your-client-id',
    options: { ...MINIMAL, set: { 'keycloak.clientId': 'your-client-id' } },
    message: /keycloak\.clientId is a placeholder/,
  },
  {
    title: 'threescale.adminApiUrl on example.org',
    options: { ...MINIMAL, set: { 'threescale.adminApiUrl': 'https://tenant-admin.3scale.example.org' } },
    message: /threescale\.adminApiUrl is a placeholder: set it to your 3scale admin portal URL/,
  },
  {
    title: 'threescale.adminApiKey changeme',
    options: { ...MINIMAL, set: { 'threescale.adminApiKey': 'changeme' } },
    message: /threescale\.adminApiKey is a placeholder: set it to a 3scale access token/,
  },
  {
    title: 'threescale.adminApiKey your-3scale-token',
    options: { ...MINIMAL, set: { 'threescale.adminApiKey': 'your-3scale-token' } },
    message: /threescale\.adminApiKey is a placeholder/,
  },
  {
    title: 'threescale.existingSecret your-secret',
    options: { ...MINIMAL, set: { 'threescale.adminApiKey': '', 'threescale.existingSecret': 'your-secret' } },
    message: /threescale\.existingSecret is a placeholder/,
  },
  {
    title: 'redis.url on example.com',
    options: { ...MINIMAL, set: { 'redis.url': 'redis://redis.example.com:6379' } },
    message: /redis\.url is a placeholder: set it to your Redis URL/,
  },
  {
    title: 'replicaCount 2 without Redis',
    options: { ...MINIMAL, set: { replicaCount: 2 } },
    message: /limits and init locks must be shared: set redis\.url or redis\.existingSecret/,
  },
  {
    title: 'autoscaling without Redis',
    options: { ...MINIMAL, set: { 'autoscaling.enabled': true } },
    message: /limits and init locks must be shared: set redis\.url or redis\.existingSecret/,
  },
  {
    title: 'embedded backend on several replicas',
    options: {
      ...MINIMAL,
      set: { 'apim.backend': 'embedded', replicaCount: 2, 'redis.url': 'redis://redis.mlaas.svc:6379' },
    },
    message: /apim\.backend=embedded keeps its SQLite database in one pod/,
  },
];

describe('helm chart: values that must not render', { skip }, () => {
  it('renders nothing from the defaults alone, naming every required value', () => {
    const failure = renderFailure({});
    for (const name of [
      'keycloak.url',
      'keycloak.realm',
      'keycloak.clientId',
      'threescale.adminApiUrl',
      'threescale.adminApiKey',
    ]) {
      assert.match(failure, new RegExp(`${name.replace('.', '\\.')} is required`), name);
    }
  });

  for (const rule of VALUE_RULES) {
    it(`rejects ${rule.title} in values.schema.json, saying which value to set`, () => {
      const failure = renderFailure(rule.options);
      assert.match(failure, /values don't meet the specifications of the schema/);
      assert.match(failure, rule.message);
    });

    it(`rejects ${rule.title} in the templates too (--skip-schema-validation)`, () => {
      const failure = renderFailure({ ...rule.options, extraArgs: ['--skip-schema-validation'] });
      assert.match(failure, /mlaas-helper: the values need fixing/);
      assert.match(failure, rule.message);
    });
  }

  it('never echoes a rejected secret value in the message', () => {
    const failure = renderFailure({ ...MINIMAL, set: { 'threescale.adminApiKey': 'your-token-ABCDEF123' } });
    assert.doesNotMatch(failure, /ABCDEF123/);
  });

  it('accepts a real configuration with several replicas and Redis', () => {
    const objects = render(helm, {
      ...MINIMAL,
      set: { replicaCount: 2, 'redis.url': 'rediss://:pw@redis.mlaas.svc:6380/0' },
    });
    assert.equal((single(objects, 'Deployment').spec as { replicas: number }).replicas, 2);
  });

  it('accepts oidc.issuer instead of keycloak.url and keycloak.realm', () => {
    const objects = render(helm, { valuesFiles: ['ci/metrics-port-values.yaml'] });
    const data = configData(objects);
    assert.equal(data.OIDC_ISSUER, 'https://login.corp.internal/realms/mlaas');
    assert.equal(data.KEYCLOAK_URL, undefined);
  });
});

function readHelperSources(): string {
  const root = join(REPO_ROOT, 'packages/helper/src');
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) texts.push(readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return texts.join('\n');
}
