/**
 * @module delivery/snippet
 * A runnable call of a service in curl, Python or Node.js that sends the key where the gateway reads it
 * (header, query parameter or HTTP Basic; with the app id when the service needs one). The key is read from
 * the variable `mlaas run` sets, never written into the snippet.
 */
import type { Service } from '@mlaas/contract';
import { credentialNames } from '../output/curl-example.js';
import { MlaasError } from '../lib/errors.js';
import { singleQuote } from './formats.js';
import { needsAppId, variableNames } from './variable-names.js';

/** Languages of `mlaas snippet`. */
export const SNIPPET_LANGS = ['curl', 'python', 'node'] as const;
export type SnippetLang = (typeof SNIPPET_LANGS)[number];

/** What a snippet needs to know about a service. */
export type SnippetService = Pick<Service, 'id' | 'proxy_endpoint' | 'authentication_method' | 'credentials'>;

/**
 * Parses a `--lang` value.
 * @throws MlaasError USAGE_ERROR for anything else.
 *
 * @example
 * ```ts
 * parseSnippetLang('python'); // 'python'
 * ```
 */
export function parseSnippetLang(value: string): SnippetLang {
  if ((SNIPPET_LANGS as readonly string[]).includes(value)) return value as SnippetLang;
  throw new MlaasError('USAGE_ERROR', `--lang must be one of ${SNIPPET_LANGS.join(', ')}, not "${value}"`);
}

/** Where and how the credentials travel, resolved from the service's description. */
type Plan =
  | { kind: 'header' | 'query'; keyName: string; appIdName: string | null }
  | { kind: 'basic'; withAppId: boolean }
  | { kind: 'oidc' };

function plan(service: SnippetService): Plan {
  const method = service.authentication_method;
  if (method === 'oidc') return { kind: 'oidc' };
  if (service.credentials.location === 'basic') return { kind: 'basic', withAppId: needsAppId(method) };
  const names = credentialNames(method, service.credentials);
  return method === 'app_id_app_key'
    ? { kind: service.credentials.location, appIdName: names[0] as string, keyName: names[1] as string }
    : { kind: service.credentials.location, appIdName: null, keyName: names[0] as string };
}

/**
 * The snippet's text, ending with a newline.
 * @param tokenEndpoint for OpenID Connect services: where the client credentials are exchanged for a token.
 * @throws MlaasError USAGE_ERROR when the service publishes no endpoint to call.
 *
 * @example
 * ```ts
 * renderSnippet(service, 'curl');
 * // curl -sS -H 'X-API-Key: '"$MLAAS_SENTIMENT_ANALYSIS_API_KEY" 'https://gw.example.org/sentiment'
 * ```
 */
export function renderSnippet(service: SnippetService, lang: SnippetLang, tokenEndpoint: string): string {
  const endpoint = service.proxy_endpoint;
  if (endpoint === null) {
    throw new MlaasError('USAGE_ERROR', `the service "${service.id}" publishes no endpoint to call`);
  }
  const names = variableNames(service.id);
  const how = plan(service);
  const header = `# Run with: mlaas run --service ${service.id} -- …  (the key is read from $${names.apiKey})`;
  switch (lang) {
    case 'curl':
      return `${header}\n${curl(endpoint, how, names, tokenEndpoint)}\n`;
    case 'python':
      return `${header}\n${python(endpoint, how, names, tokenEndpoint)}`;
    case 'node':
      return `${header.replace(/^#/, '//')}\n${node(endpoint, how, names, tokenEndpoint)}`;
  }
}

type Names = ReturnType<typeof variableNames>;

function curl(endpoint: string, how: Plan, names: Names, tokenEndpoint: string): string {
  const key = `"$${names.apiKey}"`;
  const appId = `"$${names.appId}"`;
  const url = singleQuote(endpoint);
  switch (how.kind) {
    case 'header': {
      const appIdHeader = how.appIdName !== null ? `-H ${singleQuote(`${how.appIdName}: `)}${appId} ` : '';
      return `curl -sS ${appIdHeader}-H ${singleQuote(`${how.keyName}: `)}${key} ${url}`;
    }
    case 'query': {
      const appIdParam = how.appIdName !== null ? `--data-urlencode ${singleQuote(`${how.appIdName}=`)}${appId} ` : '';
      return `curl -sS --get ${appIdParam}--data-urlencode ${singleQuote(`${how.keyName}=`)}${key} ${url}`;
    }
    case 'basic':
      return how.withAppId ? `curl -sS -u ${appId}:${key} ${url}` : `curl -sS -u ${key}: ${url}`;
    case 'oidc':
      return [
        `TOKEN=$(curl -sS -d grant_type=client_credentials --data-urlencode client_id=${appId} \\`,
        `  --data-urlencode client_secret=${key} ${singleQuote(tokenEndpoint)} | jq -r .access_token)`,
        `curl -sS -H "Authorization: Bearer $TOKEN" ${url}`,
      ].join('\n');
  }
}

function python(endpoint: string, how: Plan, names: Names, tokenEndpoint: string): string {
  const q = (text: string) => JSON.stringify(text);
  const lines = ['import base64, json, os, urllib.parse, urllib.request', '', `key = os.environ[${q(names.apiKey)}]`];
  const withAppId = (how.kind === 'header' || how.kind === 'query') && how.appIdName !== null;
  if (withAppId || (how.kind === 'basic' && how.withAppId) || how.kind === 'oidc')
    lines.push(`app_id = os.environ[${q(names.appId)}]`);
  lines.push(`url = ${q(endpoint)}`, 'headers = {}');
  switch (how.kind) {
    case 'header':
      if (how.appIdName !== null) lines.push(`headers[${q(how.appIdName)}] = app_id`);
      lines.push(`headers[${q(how.keyName)}] = key`);
      break;
    case 'query': {
      const params =
        how.appIdName !== null ? `{${q(how.appIdName)}: app_id, ${q(how.keyName)}: key}` : `{${q(how.keyName)}: key}`;
      lines.push(`url += ("&" if "?" in url else "?") + urllib.parse.urlencode(${params})`);
      break;
    }
    case 'basic':
      lines.push(
        `credentials = ${how.withAppId ? 'app_id + ":" + key' : 'key + ":"'}`,
        'headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()',
      );
      break;
    case 'oidc':
      lines.push(
        `form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": app_id, "client_secret": key}).encode()`,
        `with urllib.request.urlopen(urllib.request.Request(${q(tokenEndpoint)}, data=form)) as response:`,
        '    headers["Authorization"] = "Bearer " + json.load(response)["access_token"]',
      );
      break;
  }
  lines.push(
    'with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:',
    '    print(json.dumps(json.load(response), indent=2))',
  );
  return `${lines.join('\n')}\n`;
}

function node(endpoint: string, how: Plan, names: Names, tokenEndpoint: string): string {
  const q = (text: string) => JSON.stringify(text);
  const lines = [`const key = process.env[${q(names.apiKey)}];`];
  const usesAppId =
    ((how.kind === 'header' || how.kind === 'query') && how.appIdName !== null) ||
    (how.kind === 'basic' && how.withAppId) ||
    how.kind === 'oidc';
  if (usesAppId) lines.push(`const appId = process.env[${q(names.appId)}];`);
  lines.push(
    `if (!key${usesAppId ? ' || !appId' : ''}) throw new Error(${q(`set ${names.apiKey} first: run this under mlaas run`)});`,
    `const url = new URL(${q(endpoint)});`,
    'const headers = {};',
  );
  switch (how.kind) {
    case 'header':
      if (how.appIdName !== null) lines.push(`headers[${q(how.appIdName)}] = appId;`);
      lines.push(`headers[${q(how.keyName)}] = key;`);
      break;
    case 'query':
      if (how.appIdName !== null) lines.push(`url.searchParams.set(${q(how.appIdName)}, appId);`);
      lines.push(`url.searchParams.set(${q(how.keyName)}, key);`);
      break;
    case 'basic':
      lines.push(
        `headers.authorization = 'Basic ' + Buffer.from(${how.withAppId ? "appId + ':' + key" : "key + ':'"}).toString('base64');`,
      );
      break;
    case 'oidc':
      lines.push(
        `const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: appId, client_secret: key });`,
        `const tokenResponse = fetch(${q(tokenEndpoint)}, { method: 'POST', body: form }).then((r) => r.json());`,
      );
      break;
  }
  if (how.kind === 'oidc') {
    lines.push(
      'tokenResponse',
      "  .then((token) => fetch(url, { headers: { authorization: 'Bearer ' + token.access_token } }))",
    );
  } else {
    lines.push('fetch(url, { headers })');
  }
  lines.push(
    '  .then(async (response) => {',
    '    if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);',
    '    console.log(JSON.stringify(await response.json(), null, 2));',
    '  })',
    '  .catch((error) => {',
    '    console.error(error.message);',
    '    process.exitCode = 1;',
    '  });',
  );
  return `${lines.join('\n')}\n`;
}
