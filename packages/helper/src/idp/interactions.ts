/**
 * @module idp/interactions
 * The sign-in pages behind oidc-provider's interactions (browser and device flows): a username/password
 * form protected by a CSRF token bound to the interaction, throttled like the password grant, and consent
 * given automatically (the CLI is the platform's own client, as in a Keycloak realm without consent).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { errorPage, loginPage, PAGE_HEADERS } from './pages.js';
import { BUSY_MESSAGE, INVALID_CREDENTIALS_MESSAGE, throttledMessage, type SignIn } from './sign-in.js';

/** Longest form body accepted on the sign-in pages, in bytes. */
const FORM_BODY_LIMIT_BYTES = 8_192;

export interface InteractionRoutesOptions {
  provider: Provider;
  signIn: SignIn;
  /** Path of the pages, e.g. `/realms/mlaas/login-actions`. */
  basePath: string;
  /** Secret for CSRF tokens (one of the cookie keys). */
  csrfSecret: string;
}

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * Registers the sign-in routes in an encapsulated Fastify plugin (with its own form parser).
 * @example await app.register(interactionRoutes, { provider, signIn, basePath: '/realms/mlaas/login-actions', csrfSecret });
 */
export async function interactionRoutes(app: FastifyInstance, options: InteractionRoutesOptions): Promise<void> {
  const { provider, signIn, basePath } = options;

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  const csrfTokenFor = (uid: string) =>
    createHmac('sha256', options.csrfSecret).update(`login-actions:${uid}`).digest('base64url');
  const csrfValid = (uid: string, token: unknown): boolean => {
    if (typeof token !== 'string') return false;
    const expected = Buffer.from(csrfTokenFor(uid));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  function page(reply: FastifyReply, status: number, html: string): FastifyReply {
    return reply.code(status).headers(PAGE_HEADERS).send(html);
  }

  /** The interaction for this browser, or null (after answering) when it is missing, expired or another one. */
  async function loadInteraction(
    request: FastifyRequest<{ Params: { uid: string } }>,
    reply: FastifyReply,
  ): Promise<InteractionDetails | null> {
    try {
      const details = await provider.interactionDetails(request.raw, reply.raw);
      if (details.uid === request.params.uid) return details;
    } catch (error) {
      if ((error as Error).name !== 'SessionNotFound') throw error;
    }
    page(
      reply,
      400,
      errorPage(
        'invalid_request',
        'This sign-in page has expired or was opened in another browser. Start again from your application.',
      ),
    );
    return null;
  }

  function renderLogin(details: InteractionDetails, extra: { username?: string; error?: string } = {}): string {
    return loginPage({
      action: `${basePath}/${details.uid}/login`,
      abortAction: `${basePath}/${details.uid}/abort`,
      csrfToken: csrfTokenFor(details.uid),
      clientName: String(details.params.client_id ?? 'the application'),
      ...extra,
    });
  }

  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    result: InteractionResults,
    merge = true,
  ): Promise<FastifyReply> {
    const returnTo = await provider.interactionResult(request.raw, reply.raw, result, {
      mergeWithLastSubmission: merge,
    });
    return reply.code(303).header('location', returnTo).header('cache-control', 'no-store').send();
  }

  /** The platform's own client: grant what it asked for without a consent page. */
  async function consent(details: InteractionDetails): Promise<InteractionResults> {
    const { prompt, params, session } = details;
    const accountId = session?.accountId;
    if (accountId === undefined) throw new Error('consent prompt without a signed-in account');
    const grant =
      (details.grantId !== undefined ? await provider.Grant.find(details.grantId) : undefined) ??
      new provider.Grant({ accountId, clientId: String(params.client_id) });
    const missing = prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    return { consent: details.grantId === undefined ? { grantId } : {} };
  }

  app.get<{ Params: { uid: string } }>(`${basePath}/:uid`, async (request, reply) => {
    const details = await loadInteraction(request, reply);
    if (details === null) return reply;
    if (details.prompt.name === 'login') return page(reply, 200, renderLogin(details));
    if (details.prompt.name === 'consent') return finish(request, reply, await consent(details));
    return page(reply, 400, errorPage('invalid_request', 'This sign-in step is not supported.'));
  });

  app.post<{ Params: { uid: string }; Body: Record<string, string> | undefined }>(
    `${basePath}/:uid/login`,
    async (request, reply) => {
      const details = await loadInteraction(request, reply);
      if (details === null) return reply;
      const form = request.body ?? {};
      if (!csrfValid(details.uid, form.csrf)) {
        return page(
          reply,
          403,
          errorPage('invalid_request', 'The form could not be verified. Reload the sign-in page and try again.'),
        );
      }
      if (details.prompt.name !== 'login')
        return page(reply, 400, errorPage('invalid_request', 'This sign-in step is not supported.'));
      const username = typeof form.username === 'string' ? form.username : '';
      const password = typeof form.password === 'string' ? form.password : '';
      const result = await signIn.attempt(username, password, request.ip);
      if (!result.ok) {
        if (result.reason === 'throttled' || result.reason === 'busy') {
          reply.header('retry-after', String(result.retryAfterSeconds));
          const error = result.reason === 'busy' ? BUSY_MESSAGE : throttledMessage(result.retryAfterSeconds);
          return page(reply, result.reason === 'busy' ? 503 : 429, renderLogin(details, { username, error }));
        }
        return page(reply, 401, renderLogin(details, { username, error: `${INVALID_CREDENTIALS_MESSAGE}.` }));
      }
      return finish(request, reply, { login: { accountId: result.user.id, remember: false } });
    },
  );

  app.post<{ Params: { uid: string }; Body: Record<string, string> | undefined }>(
    `${basePath}/:uid/abort`,
    async (request, reply) => {
      const details = await loadInteraction(request, reply);
      if (details === null) return reply;
      if (!csrfValid(details.uid, request.body?.csrf)) {
        return page(
          reply,
          403,
          errorPage('invalid_request', 'The form could not be verified. Reload the sign-in page and try again.'),
        );
      }
      return finish(
        request,
        reply,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        false,
      );
    },
  );
}
