/**
 * @module commands/services-init
 * `mlaas services init <id>` / `--name "ML Service"` (original `--init id=X` / `--init name=Y`): gets the
 * API key for a service, creating it on first use, and prints it with a ready-to-run curl command.
 */
import type { InitData } from '@mlaas/contract';
import { warnExpiringKeys } from './keys-expiry-warning.js';
import { MlaasError } from '../lib/errors.js';
import type { CommandContext } from '../cli/context.js';
import { credentialNames, curlExample } from '../output/curl-example.js';
import { closestMatches } from '../output/suggest.js';
import { withSpinner } from '../output/spinner.js';

/** Options of `mlaas services init`. */
export interface InitOptions {
  name?: string;
}

/**
 * Gets (or creates) the key for one service.
 * @throws MlaasError SERVICE_NOT_FOUND with the closest known names as a hint.
 *
 * @example
 * ```ts
 * await runServicesInit(ctx, 'sentiment-analysis', {});
 * await runServicesInit(ctx, undefined, { name: 'Sentiment Analysis' });
 * ```
 */
export async function runServicesInit(
  ctx: CommandContext,
  id: string | undefined,
  options: InitOptions,
): Promise<void> {
  if (id === undefined && options.name === undefined) {
    throw new MlaasError('USAGE_ERROR', 'missing the service: give its id or its name', {
      hint: 'mlaas services init ID, or mlaas services init --name "NAME"; mlaas services list shows both.',
    });
  }
  if (id !== undefined && options.name !== undefined) {
    throw new MlaasError(
      'USAGE_ERROR',
      'name the service by id (mlaas services init ID) or by name (--name "NAME"), not both',
    );
  }
  const selector = id !== undefined ? { id } : { name: options.name as string };
  const client = await ctx.client();
  let data: InitData;
  try {
    data = await withSpinner(ctx.io.stderr, 'Getting the API key…', client.initService(selector));
  } catch (error) {
    if (error instanceof MlaasError && error.code === 'SERVICE_NOT_FOUND')
      error.hint = await suggestServices(ctx, id ?? options.name ?? '');
    throw error;
  }
  warnExpiringKeys(ctx, [{ service: data.service.id, expiresAt: data.expires_at }]);
  if (ctx.json) {
    ctx.printJson(data);
    return;
  }
  const { service } = data;
  ctx.info(
    data.is_new
      ? `Created a new API key for ${service.name} (plan ${data.plan.name}).`
      : `You already have an API key for ${service.name} (plan ${data.plan.name}).`,
  );
  const lines = [
    `service:   ${service.name} (${service.id})`,
    ...(data.app_id !== null ? [`app id:    ${data.app_id}`] : []),
    `api key:   ${data.api_key}`,
    ...(data.expires_at ? [`expires:   ${data.expires_at}`] : []),
    `endpoint:  ${service.proxy_endpoint ?? '(none published)'}`,
    `auth:      ${describeCredentials(data)}`,
  ];
  const example = curlExample(
    data,
    service.authentication_method === 'oidc' ? `${ctx.settings().issuer}/protocol/openid-connect/token` : undefined,
  );
  if (example !== null) lines.push('', 'example:', ...example.map((line) => `  ${line}`));
  ctx.print(lines.join('\n'));
}

function describeCredentials(data: InitData): string {
  const { authentication_method: method, credentials } = data.service;
  if (method === 'oidc') return 'OpenID Connect client credentials (app id = client id, api key = client secret)';
  if (credentials.location === 'basic')
    return method === 'app_id_app_key' ? 'HTTP Basic (app id : api key)' : 'HTTP Basic (api key as user name)';
  return `${credentials.location === 'header' ? 'header' : 'query parameter'} ${credentialNames(method, credentials).join(' + ')}`;
}

async function suggestServices(ctx: CommandContext, asked: string): Promise<string> {
  try {
    const { services } = await (await ctx.client()).listServices();
    const byKey = new Map<string, string>();
    for (const s of services) {
      byKey.set(s.id, `${s.id} (${s.name})`);
      byKey.set(s.name, `${s.id} (${s.name})`);
    }
    const close = [...new Set(closestMatches(asked, [...byKey.keys()]).map((key) => byKey.get(key) as string))];
    if (close.length > 0) return `Did you mean: ${close.join(', ')}? See all with: mlaas services list`;
  } catch {
    // the hint is optional
  }
  return 'See the available services with: mlaas services list';
}
