/**
 * @module commands/snippet
 * `mlaas snippet SERVICE [--lang curl|python|node]`: a runnable call of the service that reads the key from
 * the variable `mlaas run` sets. The snippet holds no secret, so it can be pasted into code and notebooks.
 */
import type { CommandContext } from '../cli/context.js';
import { parseSnippetLang, renderSnippet } from '../delivery/snippet.js';
import { closestMatches } from '../output/suggest.js';
import { MlaasError } from '../lib/errors.js';

/** Options of `mlaas snippet`. */
export interface SnippetOptions {
  lang?: string;
}

/**
 * Prints the snippet.
 * @throws MlaasError USAGE_ERROR for an unknown language; SERVICE_NOT_FOUND for an unknown service.
 *
 * @example
 * ```ts
 * await runSnippet(ctx, 'sentiment-analysis', { lang: 'python' });
 * ```
 */
export async function runSnippet(ctx: CommandContext, serviceId: string, options: SnippetOptions): Promise<void> {
  const lang = parseSnippetLang(options.lang ?? 'curl');
  const { services } = await (await ctx.client()).listServices();
  const service = services.find((s) => s.id === serviceId);
  if (service === undefined) {
    const close = closestMatches(
      serviceId,
      services.map((s) => s.id),
    );
    throw new MlaasError('SERVICE_NOT_FOUND', `there is no service "${serviceId}"`, {
      hint:
        close.length > 0
          ? `Did you mean: ${close.join(', ')}? See all with: mlaas services list`
          : 'See the available services with: mlaas services list',
    });
  }
  ctx.io.stdout.write(renderSnippet(service, lang, `${ctx.settings().issuer}/protocol/openid-connect/token`));
}
