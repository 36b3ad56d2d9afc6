/**
 * @module cli/sign-in
 * The sign-in flows as the user sees them: which one to use, the prompts, the device code and browser
 * messages on stderr, and a spinner while waiting. Returns tokens; the caller stores them.
 */
import { browserLogin } from '../auth/browser-login.js';
import { deviceLogin, type DeviceCode } from '../auth/device-login.js';
import { passwordLogin } from '../auth/password-login.js';
import type { Session } from '../auth/session.js';
import { MlaasError } from '../lib/errors.js';
import type { StoredTokens } from '../store/token-set.js';
import { startSpinner, withSpinner, type Spinner } from '../output/spinner.js';
import { createStyle } from '../output/style.js';
import { hasDisplay, type Io } from './io.js';
import { openBrowser } from './open-browser.js';
import { promptHidden, promptLine, readAll } from './prompt.js';
import { NON_INTERACTIVE_SIGN_IN_HINT } from './sign-in-hint.js';

/** What a sign-in flow talks to the user through: the streams, and whether it may prompt. */
export interface SignInTerminal {
  io: Io;
  interactive: boolean;
}

/** The part of a session a sign-in flow needs: the discovered issuer. */
export type SignInSession = Pick<Session, 'oidc'>;

/** A sign-in flow. */
export type LoginMethod = 'browser' | 'device' | 'password';

/** Inputs of the password flow. */
export interface PasswordInput {
  username?: string | undefined;
  /** Read the password from stdin instead of prompting. */
  passwordStdin?: boolean | undefined;
}

/**
 * The flow `mlaas login` uses without a flag: the password grant when MLAAS_USERNAME and MLAAS_PASSWORD are
 * set, the browser when one can be opened, else a device code.
 *
 * @example
 * ```ts
 * defaultMethod(io); // 'device' over SSH
 * ```
 */
export function defaultMethod(io: Pick<Io, 'env' | 'platform'>): LoginMethod {
  if (io.env.MLAAS_USERNAME && io.env.MLAAS_PASSWORD) return 'password';
  return hasDisplay(io) ? 'browser' : 'device';
}

/**
 * Runs a sign-in flow and returns the tokens (not yet stored).
 * @throws MlaasError AUTH_REQUIRED when the flow would need a prompt that is not allowed.
 *
 * @example
 * ```ts
 * const tokens = await obtainTokens({ io, interactive: false }, session, 'password', { username: 'alice', passwordStdin: true });
 * await session.save(tokens);
 * ```
 */
export async function obtainTokens(
  terminal: SignInTerminal,
  session: SignInSession,
  method: LoginMethod,
  input: PasswordInput,
): Promise<StoredTokens> {
  const { io } = terminal;
  const info = (text: string) => void io.stderr.write(`${text}\n`);
  switch (method) {
    case 'password': {
      const credentials = await readCredentials(terminal, input);
      const oidc = await session.oidc();
      return await withSpinner(io.stderr, 'Signing in…', passwordLogin(oidc, credentials));
    }
    case 'device': {
      const oidc = await session.oidc();
      let spinner: Spinner | undefined;
      try {
        return await deviceLogin(oidc, {
          onCode: (code) => {
            showDeviceCode(io, code);
            spinner = startSpinner(io.stderr, 'Waiting for you to confirm the code in a browser…');
          },
        });
      } finally {
        spinner?.stop();
      }
    }
    case 'browser': {
      const oidc = await session.oidc();
      let spinner: Spinner | undefined;
      try {
        return await browserLogin(oidc, {
          ...loginTimeout(io),
          openUrl: (url) => {
            const display = hasDisplay(io) || Boolean(io.env.BROWSER);
            if (display) {
              info('Opening your browser to sign in. If it does not open, visit this URL:');
              void openBrowser(url, io.env, io.platform);
            } else {
              info('Open this URL in a browser on this machine to sign in:');
            }
            info(`  ${url}`);
            spinner = startSpinner(io.stderr, 'Waiting for the browser…');
          },
        });
      } finally {
        spinner?.stop();
      }
    }
  }
}

function showDeviceCode(io: Io, code: DeviceCode): void {
  const { bold } = createStyle(io.stderr, io.env);
  const info = (text: string) => void io.stderr.write(`${text}\n`);
  info('To sign in, open this page on any device:');
  info(`  ${code.verificationUri}`);
  info(`and enter the code: ${bold(code.userCode)}`);
  if (code.verificationUriComplete !== null) info(`(or open ${code.verificationUriComplete} directly)`);
  info(`The code expires in ${Math.max(1, Math.round(code.expiresInSeconds / 60))} minutes.`);
}

async function readCredentials(
  { io, interactive }: SignInTerminal,
  input: PasswordInput,
): Promise<{ username: string; password: string }> {
  const env = io.env;
  let username = input.username ?? env.MLAAS_USERNAME;
  if (username === undefined || username === '') {
    if (!interactive || input.passwordStdin) {
      throw new MlaasError('AUTH_REQUIRED', 'a username is needed to sign in with a password', {
        hint: 'Pass --username NAME or set MLAAS_USERNAME.',
      });
    }
    username = await promptLine(io.stdin, io.stderr, 'Username: ');
    if (username === '') throw new MlaasError('USAGE_ERROR', 'the username is empty');
  }
  let password: string | undefined;
  if (input.passwordStdin) {
    password = await readAll(io.stdin);
  } else if (env.MLAAS_PASSWORD) {
    password = env.MLAAS_PASSWORD;
  } else if (interactive) {
    password = await promptHidden(io.stdin, io.stderr, `Password for ${username}: `);
  } else {
    throw new MlaasError('AUTH_REQUIRED', 'cannot ask for a password: input is not a terminal', {
      hint: NON_INTERACTIVE_SIGN_IN_HINT,
    });
  }
  if (password === '') throw new MlaasError('USAGE_ERROR', 'the password is empty');
  return { username, password };
}

/** `MLAAS_LOGIN_TIMEOUT` (seconds) shortens or lengthens the wait for the browser. */
function loginTimeout(io: Io): { timeoutMs?: number } {
  const raw = io.env.MLAAS_LOGIN_TIMEOUT;
  if (raw === undefined || raw === '') return {};
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new MlaasError('INVALID_SETTING', `MLAAS_LOGIN_TIMEOUT: "${raw}" is not a number of seconds`);
  return { timeoutMs: Math.round(seconds * 1000) };
}
