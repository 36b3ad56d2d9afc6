/**
 * @module commands/config-show
 * `mlaas config show` (original flag `--config`): each effective setting and where it came from.
 */
import type { CommandContext } from '../cli/context.js';
import { renderTable, renderTsv } from '../output/table.js';

/**
 * Prints the effective settings.
 *
 * @example
 * ```ts
 * await runConfigShow(ctx);
 * ```
 */
export async function runConfigShow(ctx: CommandContext): Promise<void> {
  const s = ctx.settings();
  const entries: [string, string | boolean | null, string][] = [
    ['profile', s.profile.value, s.profile.origin],
    ['keycloak-url', s.keycloakUrl.value, s.keycloakUrl.origin],
    ['keycloak-realm', s.keycloakRealm.value, s.keycloakRealm.origin],
    ['keycloak-client-id', s.keycloakClientId.value, s.keycloakClientId.origin],
    ['issuer', s.issuer, 'keycloak-url + keycloak-realm'],
    ['mlaas-helper-url', s.helperUrl.value, s.helperUrl.origin],
    ['ca-file', s.caFile.value, s.caFile.origin],
    ['allow-insecure-http', s.allowInsecureHttp.value, s.allowInsecureHttp.origin],
    ['token-store', s.tokenStore.value, s.tokenStore.origin],
    ['config-dir', s.configDir, configDirOrigin(ctx)],
  ];
  if (ctx.json) {
    ctx.printJson(Object.fromEntries(entries.map(([key, value, origin]) => [key, { value, source: origin }])));
    return;
  }
  const rows = entries.map(([key, value, origin]) => [key, value === null ? '-' : String(value), origin]);
  if (ctx.io.stdout.isTTY === true)
    ctx.print(renderTable(['SETTING', 'VALUE', 'SOURCE'], rows, { styleHeader: ctx.out.bold }));
  else ctx.io.stdout.write(renderTsv(rows));
}

function configDirOrigin(ctx: CommandContext): string {
  const env = ctx.io.env;
  if (env.MLAAS_CONFIG_DIR?.trim()) return 'MLAAS_CONFIG_DIR';
  if (env.XDG_CONFIG_HOME?.trim()) return 'XDG_CONFIG_HOME';
  return 'built-in default';
}
