/**
 * @module web/snippet
 * A runnable call of a service in curl, Python or Node.js that sends the key where the gateway reads it
 * (header, query parameter or HTTP Basic; with the app id when the service needs one). The same text as the
 * command-line tool's `mlaas snippet` (a test compares them): the key is read from the variable `mlaas run`
 * sets, never written into the snippet.
 */

/** Languages of a snippet, with their labels. */
export const SNIPPET_LANGS = [
  ['curl', 'curl'],
  ['python', 'Python'],
  ['node', 'Node.js'],
];

const DEFAULT_KEY_PARAMETER = 'user_key';
const DEFAULT_APP_ID_PARAMETER = 'app_id';
const DEFAULT_APP_KEY_PARAMETER = 'app_key';

function singleQuote(value) {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The environment variables `mlaas run` sets for a service. */
export function variableNames(serviceId) {
  const stem = `MLAAS_${serviceId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return { apiKey: `${stem}_API_KEY`, url: `${stem}_URL`, appId: `${stem}_APP_ID` };
}

function credentialNames(method, credentials) {
  return method === 'app_id_app_key'
    ? [credentials.app_id_parameter ?? DEFAULT_APP_ID_PARAMETER, credentials.key_parameter ?? DEFAULT_APP_KEY_PARAMETER]
    : [credentials.key_parameter ?? DEFAULT_KEY_PARAMETER];
}

function plan(service) {
  const method = service.authentication_method;
  if (method === 'oidc') return { kind: 'oidc' };
  if (service.credentials.location === 'basic') return { kind: 'basic', withAppId: method === 'app_id_app_key' };
  const names = credentialNames(method, service.credentials);
  return method === 'app_id_app_key'
    ? { kind: service.credentials.location, appIdName: names[0], keyName: names[1] }
    : { kind: service.credentials.location, appIdName: null, keyName: names[0] };
}

/**
 * The snippet's text, ending with a newline, or null when the service publishes no endpoint to call.
 * @param tokenEndpoint for OpenID Connect services: where the client credentials are exchanged for a token.
 * @example renderSnippet(service, 'curl', tokenEndpoint)
 */
export function renderSnippet(service, lang, tokenEndpoint) {
  const endpoint = service.proxy_endpoint;
  if (endpoint === null) return null;
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
    default:
      return null;
  }
}

function curl(endpoint, how, names, tokenEndpoint) {
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

function python(endpoint, how, names, tokenEndpoint) {
  const q = (text) => JSON.stringify(text);
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

function node(endpoint, how, names, tokenEndpoint) {
  const q = (text) => JSON.stringify(text);
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
