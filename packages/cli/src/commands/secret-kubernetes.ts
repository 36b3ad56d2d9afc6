/**
 * @module commands/secret-kubernetes
 * `mlaas secret kubernetes NAME [--namespace NS] [--service ID]...`: a Secret manifest with the variables of
 * `mlaas run` as `stringData`, on stdout (`| kubectl apply -f -`).
 */
import type { CommandContext } from '../cli/context.js';
import { fetchVariables } from '../delivery/fetch-variables.js';
import { assertSecretNames, renderSecret } from '../delivery/kubernetes-secret.js';

/** Options of `mlaas secret kubernetes`. */
export interface SecretOptions {
  namespace?: string;
  service?: string[];
}

/**
 * Prints the manifest.
 * @throws MlaasError USAGE_ERROR for an invalid name or namespace (before any key is fetched).
 *
 * @example
 * ```ts
 * await runSecretKubernetes(ctx, 'ml-keys', { namespace: 'team-a' });
 * ```
 */
export async function runSecretKubernetes(ctx: CommandContext, name: string, options: SecretOptions): Promise<void> {
  assertSecretNames(name, options.namespace);
  const variables = await fetchVariables(await ctx.client(), options.service ?? []);
  ctx.io.stdout.write(renderSecret(name, options.namespace, variables));
}
