/**
 * deploy/openshift/buildconfig.yaml: an ImageStream and a Docker-strategy BuildConfig that builds
 * deploy/Containerfile into it, valid for the OpenShift API, with its git source clearly marked to replace.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT, parseObjects, single } from './support/helm.js';
import { validateObjects } from './support/kube-schema.js';
import { validateOpenShift } from './support/openshift-schemas.js';

const objects = parseObjects(readFileSync(join(REPO_ROOT, 'deploy/openshift/buildconfig.yaml'), 'utf8'));

interface BuildConfigSpec {
  source: { type: string; git: { uri: string; ref?: string }; contextDir?: string };
  strategy: { type: string; dockerStrategy: { dockerfilePath: string } };
  output: { to: { kind: string; name: string } };
  triggers?: Array<{ type: string }>;
}

describe('deploy/openshift/buildconfig.yaml', () => {
  it('holds an ImageStream and a BuildConfig, both valid for the OpenShift API', async () => {
    assert.deepEqual(objects.map((o) => o.kind).sort(), ['BuildConfig', 'ImageStream']);
    assert.deepEqual(await validateObjects(objects), []);
  });

  it('builds deploy/Containerfile with the Docker strategy from the repository root', () => {
    const spec = single(objects, 'BuildConfig').spec as unknown as BuildConfigSpec;
    assert.equal(spec.strategy.type, 'Docker');
    const contextDir = spec.source.contextDir ?? '.';
    assert.ok(
      existsSync(join(REPO_ROOT, contextDir, spec.strategy.dockerStrategy.dockerfilePath)),
      'dockerfilePath exists',
    );
    assert.ok(existsSync(join(REPO_ROOT, contextDir, 'package-lock.json')), 'the context is the workspace root');
  });

  it('pushes to a tag of its ImageStream', () => {
    const spec = single(objects, 'BuildConfig').spec as unknown as BuildConfigSpec;
    const stream = single(objects, 'ImageStream');
    assert.equal(spec.output.to.kind, 'ImageStreamTag');
    assert.equal(spec.output.to.name.split(':')[0], stream.metadata.name);
  });

  it('marks the git source as a placeholder to replace, on a host that cannot exist, and starts no build by itself', () => {
    const spec = single(objects, 'BuildConfig').spec as unknown as BuildConfigSpec;
    assert.equal(spec.source.type, 'Git');
    assert.match(spec.source.git.uri, /REPLACE/);
    assert.match(new URL(spec.source.git.uri).hostname, /\.invalid$/);
    assert.ok(
      !(spec.triggers ?? []).some((t) => t.type === 'ConfigChange'),
      'no build starts before the source is set',
    );
  });

  it('rejects a misspelt field (the OpenShift schemas are strict)', () => {
    const route = {
      apiVersion: 'route.openshift.io/v1',
      kind: 'Route',
      metadata: { name: 'r' },
      spec: { to: { kind: 'Service', name: 's' }, tls: { terminaton: 'edge' } },
    };
    assert.notDeepEqual(validateOpenShift(route), []);
    const build = structuredClone(single(objects, 'BuildConfig'));
    (build.spec as Record<string, unknown>).outptu = {};
    assert.notDeepEqual(validateOpenShift(build), []);
  });
});
