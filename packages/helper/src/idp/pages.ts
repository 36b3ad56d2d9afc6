/**
 * @module idp/pages
 * The embedded issuer's HTML pages: sign-in, device code entry and confirmation, sign-out, and errors.
 * Plain HTML with one inline style sheet (allowed by hash in the Content-Security-Policy), no scripts, no
 * external assets; every field has a label and everything works from the keyboard.
 */
import { createHash } from 'node:crypto';

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#f6f7f9;--card:#fff;--accent:#0b5cad;--err:#b3261e;--muted:#5b6470}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--bg:#15181c;--card:#1f2328;--accent:#6cb0ff;--err:#ff8a80;--muted:#a0a8b3}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:var(--card);border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.5rem;margin:0 0 1rem}
p{margin:.5rem 0 1rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.6rem;font-size:1rem;border:1px solid var(--muted);border-radius:4px;background:var(--card);color:var(--fg)}
input.code{text-transform:uppercase;letter-spacing:.15em;font-family:ui-monospace,monospace;text-align:center}
.actions{display:flex;gap:.75rem;margin-top:1.5rem;flex-wrap:wrap}
button{padding:.6rem 1.2rem;font-size:1rem;border-radius:4px;border:1px solid var(--accent);cursor:pointer}
button.primary{background:var(--accent);color:#fff}
button.secondary{background:transparent;color:var(--accent)}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.error{color:var(--err);border-left:4px solid var(--err);padding:.25rem .75rem}
.code-display{font:700 1.6rem ui-monospace,monospace;letter-spacing:.2em;text-align:center;margin:1rem 0}
.muted{color:var(--muted);font-size:.9rem}
`;

/**
 * Where the pages' forms may post, and where those posts may be redirected: this server, and the CLI's
 * loopback callback on any port (browsers apply `form-action` to the redirects that follow a post too).
 */
const FORM_ACTION = "form-action 'self' http://127.0.0.1:* http://localhost:*";

/** Content-Security-Policy of every page: nothing but the one inline style sheet; forms post only here. */
export const PAGE_CSP =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; ` +
  `img-src 'none'; ${FORM_ACTION}; frame-ancestors 'none'; base-uri 'none'`;

/**
 * Content-Security-Policy of what the issuer renders without these pages (the sign-out auto-submit page):
 * no script but the one whose hash oidc-provider adds to the empty `script-src`.
 */
export const ISSUER_CSP = `default-src 'none'; script-src; ${FORM_ACTION}; frame-ancestors 'none'; base-uri 'none'`;

/** Headers every page is sent with. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': PAGE_CSP,
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · MLaaS</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function errorBlock(message: string | undefined): string {
  return message === undefined ? '' : `<p class="error" role="alert" id="form-error">${escapeHtml(message)}</p>`;
}

export interface LoginPageInput {
  action: string;
  abortAction: string;
  csrfToken: string;
  clientName: string;
  username?: string;
  error?: string;
}

/**
 * The sign-in form (username and password), with the error of the previous attempt when there was one.
 * @example reply.headers(PAGE_HEADERS).send(loginPage({ action, abortAction, csrfToken, clientName: 'mlaas-cli' }));
 */
export function loginPage(input: LoginPageInput): string {
  const described = input.error !== undefined ? ' aria-describedby="form-error"' : '';
  const focusPassword = input.username !== undefined && input.username !== '';
  return page(
    'Sign in',
    `<h1>Sign in to MLaaS</h1>
<p>to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${errorBlock(input.error)}
<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrfToken)}">
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required${described}${focusPassword ? '' : ' autofocus'} value="${escapeHtml(input.username ?? '')}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${described}${focusPassword ? ' autofocus' : ''}>
<div class="actions">
<button type="submit" class="primary">Sign in</button>
<button type="submit" class="secondary" formaction="${escapeHtml(input.abortAction)}" formnovalidate>Cancel</button>
</div>
</form>`,
  );
}

/** Action and CSRF secret of a form oidc-provider rendered, so the page can show its own accessible form. */
export function formParts(formHtml: string): { action: string; xsrf: string } {
  const action = /action="([^"]*)"/.exec(formHtml)?.[1] ?? '';
  const xsrf = /name="xsrf" value="([^"]*)"/.exec(formHtml)?.[1] ?? '';
  return { action, xsrf };
}

/**
 * The device code entry page (RFC 8628 §3.3): the user types the code their device shows.
 * @param formHtml the form oidc-provider built (its action and CSRF secret are reused).
 */
export function deviceCodeInputPage(formHtml: string, options: { error?: string; userCode?: string } = {}): string {
  const { action, xsrf } = formParts(formHtml);
  const described = options.error !== undefined ? ' aria-describedby="form-error"' : ' aria-describedby="code-help"';
  return page(
    'Connect a device',
    `<h1>Connect a device</h1>
${errorBlock(options.error)}
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<label for="user_code">Code shown on your device</label>
<p class="muted" id="code-help">Eight letters, for example WDJB-MJHT.</p>
<input type="text" class="code" id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus${described} value="${escapeHtml(options.userCode ?? '')}">
<div class="actions"><button type="submit" class="primary">Continue</button></div>
</form>`,
  );
}

/** The device confirmation page: the user checks the code and approves or denies the device. */
export function deviceConfirmPage(formHtml: string, input: { clientName: string; userCode: string }): string {
  const { action, xsrf } = formParts(formHtml);
  return page(
    'Confirm device',
    `<h1>Confirm the device</h1>
<p><strong>${escapeHtml(input.clientName)}</strong> asks to sign in as you. Continue only if your device shows this code:</p>
<p class="code-display" aria-label="Code ${escapeHtml(input.userCode.split('').join(' '))}">${escapeHtml(input.userCode)}</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<input type="hidden" name="user_code" value="${escapeHtml(input.userCode)}">
<input type="hidden" name="confirm" value="yes">
<div class="actions">
<button type="submit" class="primary" autofocus>Continue</button>
<button type="submit" class="secondary" name="abort" value="yes">Deny</button>
</div>
</form>
<p class="muted">If you did not start this, or the code differs, choose Deny.</p>`,
  );
}

/** The page after a device was approved. */
export function deviceSuccessPage(clientName: string): string {
  return page(
    'Device connected',
    `<h1>Device connected</h1>
<p role="status">You are signed in on <strong>${escapeHtml(clientName)}</strong>. You can close this window and return to your device.</p>`,
  );
}

/** The sign-out confirmation page. */
export function logoutPage(formHtml: string): string {
  const { action, xsrf } = formParts(formHtml);
  return page(
    'Sign out',
    `<h1>Sign out of MLaaS?</h1>
<p>This ends your browser session with the MLaaS sign-in service.</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="xsrf" value="${escapeHtml(xsrf)}">
<div class="actions">
<button type="submit" class="primary" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" class="secondary">Stay signed in</button>
</div>
</form>`,
  );
}

/** The page after signing out. */
export function logoutSuccessPage(): string {
  return page(
    'Signed out',
    `<h1>Signed out</h1>\n<p role="status">You have signed out. You can close this window.</p>`,
  );
}

/** An error page naming the OAuth error and its description (never internals). */
export function errorPage(error: string, description: string | undefined): string {
  return page(
    'Something went wrong',
    `<h1>Sign-in cannot continue</h1>
<p class="error" role="alert"><strong>${escapeHtml(error)}</strong>${description ? `: ${escapeHtml(description)}` : ''}</p>
<p class="muted">Start again from your application or command line.</p>`,
  );
}
