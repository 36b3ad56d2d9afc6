/**
 * @module test/support/helm
 * Finds the helm binary and renders the chart with it. Helm is never downloaded here: `.ci/run` installs it
 * from its Go module (`go install helm.sh/helm/v3/cmd/helm@<version>`) and exports HELM_BIN.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../../..');
/** The chart under test. */
export const CHART_DIR = join(REPO_ROOT, 'deploy/helm/mlaas-helper');
/**
 * Kubernetes version the chart is rendered for. Explicit because a helm built with `go install` (no release
 * ldflags) assumes v1.20, below the chart's kubeVersion. 1.29 is OpenShift 4.16's.
 */
export const KUBE_VERSION = '1.29.0';
/** Release name and namespace used for every rendering. */
export const RELEASE = 'mlaas';
export const NAMESPACE = 'mlaas';

/** A rendered Kubernetes object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** Result of one helm command. */
export interface HelmRun {
  status: number;
  stdout: string;
  stderr: string;
}

function runs(bin: string): boolean {
  const result = spawnSync(bin, ['version', '--short'], { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0;
}

/**
 * The helm binary: $HELM_BIN, else `$(go env GOPATH)/bin/helm`, else `helm` on the PATH; null when none runs.
 * @example const helm = findHelm();
 */
export function findHelm(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates: string[] = [];
  if (env.HELM_BIN) candidates.push(env.HELM_BIN);
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8', timeout: 30_000 });
  if (gopath.status === 0 && gopath.stdout.trim() !== '') {
    const fromGo = join(gopath.stdout.trim().split(':')[0] ?? '', 'bin', 'helm');
    if (existsSync(fromGo)) candidates.push(fromGo);
  }
  candidates.push('helm');
  return candidates.find((bin) => runs(bin)) ?? null;
}

/**
 * Why the helm tests are skipped, or false to run them. In CI (CI=true) they never skip: a missing helm
 * must fail the run, so the tests run and fail on the missing binary.
 */
export function helmSkipReason(helm: string | null, env: NodeJS.ProcessEnv = process.env): string | false {
  if (helm !== null || env.CI === 'true') return false;
  return 'helm not found (set HELM_BIN, or run: go install helm.sh/helm/v3/cmd/helm@v3.22.0)';
}

/** Runs helm with the given arguments from the repository root. */
export function runHelm(helm: string | null, args: string[]): HelmRun {
  if (helm === null)
    throw new Error('helm is required: set HELM_BIN or install it (go install helm.sh/helm/v3/cmd/helm@v3.22.0)');
  const result = spawnSync(helm, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(REPO_ROOT, 'tmp/helm/cache'),
      HELM_CONFIG_HOME: join(REPO_ROOT, 'tmp/helm/config'),
      HELM_DATA_HOME: join(REPO_ROOT, 'tmp/helm/data'),
    },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Options of one rendering. */
export interface RenderOptions {
  /** Values files, relative to the chart. */
  valuesFiles?: string[];
  /** `--set` pairs. */
  set?: Record<string, string | number | boolean>;
  /** `--set-string` pairs (values that must stay strings). */
  setString?: Record<string, string>;
  /** Extra helm arguments (e.g. `--skip-schema-validation`, `--api-versions`). */
  extraArgs?: string[];
  /** Another copy of the chart to render (values files stay those of the chart under test). */
  chartDir?: string;
}

function valueArgs(options: RenderOptions): string[] {
  const args: string[] = [];
  for (const file of options.valuesFiles ?? []) args.push('-f', join(CHART_DIR, file));
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set', `${key}=${String(value)}`);
  for (const [key, value] of Object.entries(options.setString ?? {})) args.push('--set-string', `${key}=${value}`);
  return [...args, ...(options.extraArgs ?? [])];
}

/** `helm template`, raw. */
export function template(helm: string | null, options: RenderOptions = {}): HelmRun {
  return runHelm(helm, [
    'template',
    RELEASE,
    options.chartDir ?? CHART_DIR,
    '--namespace',
    NAMESPACE,
    '--kube-version',
    KUBE_VERSION,
    ...valueArgs(options),
  ]);
}

/** `helm lint --strict`, raw. */
export function lint(helm: string | null, options: RenderOptions = {}): HelmRun {
  return runHelm(helm, [
    'lint',
    CHART_DIR,
    '--strict',
    '--namespace',
    NAMESPACE,
    '--kube-version',
    KUBE_VERSION,
    ...valueArgs(options),
  ]);
}

/** Parses a multi-document YAML stream into its objects, skipping empty documents. */
export function parseObjects(stream: string): KubeObject[] {
  return parseAllDocuments(stream)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((object): object is KubeObject => object !== null && typeof object === 'object');
}

/** `helm template` that must succeed; returns the rendered objects. */
export function render(helm: string | null, options: RenderOptions = {}): KubeObject[] {
  const result = template(helm, options);
  if (result.status !== 0) throw new Error(`helm template failed (${result.status}):\n${result.stderr}`);
  return parseObjects(result.stdout);
}

/** The one object of a kind; throws when there is not exactly one. */
export function single(objects: KubeObject[], kind: string): KubeObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as KubeObject;
}
