/**
 * @module cli/context
 * What every command receives: the global options, the streams, and lazily built settings and client.
 * Output helpers keep the contract: data on stdout, everything else on stderr.
 */
import type { Session, SignInReason } from '../auth/session.js';
import { resolveSettings, type Settings } from '../config/settings.js';
import type { MlaasClient } from '../sdk/client.js';
import type { StoredTokens } from '../store/token-set.js';
import { createStyle, type Style } from '../output/style.js';
import { canPrompt, type Io } from './io.js';
import type { SignInTerminal } from './sign-in.js';
import { NON_INTERACTIVE_SIGN_IN_HINT } from './sign-in-hint.js';

/** Options every command accepts (defined once on the root command). */
export interface GlobalOptions {
  profile?: string;
  json?: boolean;
  /** False with `--no-input`. */
  input?: boolean;
  verbose?: boolean;
  caFile?: string;
  keycloakUrl?: string;
  keycloakRealm?: string;
  keycloakClientId?: string;
  mlaasHelperUrl?: string;
  allowInsecureHttp?: boolean;
}

/**
 * The state of one CLI run.
 *
 * @example
 * ```ts
 * const ctx = new CommandContext(processIo(), { json: true });
 * ctx.printJson(await (await ctx.client()).health());
 * ```
 */
export class CommandContext {
  readonly io: Io;
  readonly options: GlobalOptions;
  readonly out: Style;
  readonly err: Style;
  private readonly verboseFromEnv: boolean;
  private settingsValue: Settings | undefined;
  private clientValue: MlaasClient | undefined;

  constructor(io: Io, options: GlobalOptions, run: { verboseFromEnv: boolean } = { verboseFromEnv: false }) {
    this.io = io;
    this.options = options;
    this.verboseFromEnv = run.verboseFromEnv;
    this.out = createStyle(io.stdout, io.env);
    this.err = createStyle(io.stderr, io.env);
  }

  /** Whether prompts are allowed (stdin is a terminal, no `--no-input`). */
  get interactive(): boolean {
    return canPrompt(this.io, this.options.input !== false);
  }

  get json(): boolean {
    return this.options.json === true;
  }

  get verbose(): boolean {
    return this.options.verbose === true || this.verboseFromEnv;
  }

  /** The effective settings (flags > env > profile > defaults). */
  settings(): Settings {
    return (this.settingsValue ??= resolveSettings({ env: this.io.env, flags: this.flags() }));
  }

  /**
   * The SDK client for this run; signs in interactively when needed and allowed. The SDK (transport, session,
   * generated schemas) is loaded on first use, so commands that never call this do not pay for it.
   */
  async client(): Promise<MlaasClient> {
    if (this.clientValue !== undefined) return this.clientValue;
    const { MlaasClient } = await import('../sdk/client.js');
    // Another call may have built the client while the module was loading.
    if (this.clientValue === undefined) {
      const interactive = this.interactive;
      this.clientValue = new MlaasClient({
        env: this.io.env,
        settings: this.settings(),
        warn: (message) => this.warn(message),
        ...(this.verbose ? { trace: (line: string) => this.info(line) } : {}),
        ...(interactive
          ? { signIn: (reason: SignInReason, session: Session) => this.signInInteractively(reason, session) }
          : {}),
        signInHint: interactive ? 'Sign in with `mlaas login`.' : NON_INTERACTIVE_SIGN_IN_HINT,
      });
    }
    return this.clientValue;
  }

  /** Writes data to stdout. */
  print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes a JSON document to stdout. */
  printJson(value: unknown): void {
    this.print(JSON.stringify(value, null, 2));
  }

  /** Writes a message for the user to stderr. */
  info(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes a warning to stderr. */
  warn(text: string): void {
    this.info(`warning: ${text}`);
  }

  private flags() {
    const o = this.options;
    return {
      profile: o.profile,
      keycloakUrl: o.keycloakUrl,
      keycloakRealm: o.keycloakRealm,
      keycloakClientId: o.keycloakClientId,
      helperUrl: o.mlaasHelperUrl,
      caFile: o.caFile,
      allowInsecureHttp: o.allowInsecureHttp,
    };
  }

  /** The terminal a sign-in flow talks through. */
  get terminal(): SignInTerminal {
    return { io: this.io, interactive: this.interactive };
  }

  private async signInInteractively(reason: SignInReason, session: Session): Promise<StoredTokens> {
    this.info(`${capitalize(reason.message)}; signing in (profile "${this.settings().profile.value}").`);
    const { obtainTokens, defaultMethod } = await import('./sign-in.js');
    return obtainTokens(this.terminal, session, defaultMethod(this.io), {});
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
