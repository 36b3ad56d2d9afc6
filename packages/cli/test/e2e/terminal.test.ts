/**
 * @module test/e2e/terminal
 * The CLI on a real terminal (tmux): the hidden password prompt, the username prompt, Ctrl-C at a prompt,
 * and the table layout of `services list`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI_SOURCE, expireStoredToken, login, makeHome, ROOT, startStack, type Stack } from '../support/stack.js';
import { hasTmux, openTerminal, quote, type Terminal } from '../support/tmux.js';

const available = await hasTmux();
const inCi = Boolean(process.env.CI);
if (!available && !inCi) console.warn('terminal: tmux not found; skipping (apt-get install -y tmux)');

describe('on a terminal', { skip: !available && !inCi ? 'tmux not installed' : false }, () => {
  let stack: Stack;
  const homes: { remove(): void }[] = [];
  const terminals: Terminal[] = [];

  /** Runs mlaas in a terminal with a fresh config directory (or the given one). */
  async function mlaas(args: string[], configDir?: string): Promise<{ terminal: Terminal; configDir: string }> {
    let dir = configDir;
    if (dir === undefined) {
      const home = makeHome();
      homes.push(home);
      dir = home.configDir;
    }
    const env = {
      ...stack.env,
      MLAAS_CONFIG_DIR: dir,
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TERM: 'xterm-256color',
      NO_COLOR: '1',
    };
    const assignments = Object.entries(env)
      .map(([k, v]) => `${k}=${quote(v)}`)
      .join(' ');
    const command = `cd ${quote(ROOT)} && env -i ${assignments} ${quote(process.execPath)} --import tsx ${quote(CLI_SOURCE)} ${args.map(quote).join(' ')}`;
    const terminal = await openTerminal(command);
    terminals.push(terminal);
    return { terminal, configDir: dir };
  }

  before(async () => {
    assert.ok(available, 'tmux is required in CI');
    stack = await startStack();
  });
  after(async () => {
    for (const terminal of terminals) await terminal.close();
    for (const home of homes) home.remove();
    await stack?.close();
  });

  it('asks for the password without echoing it, then signs in', async () => {
    const { terminal } = await mlaas(['login', '--password', '--username', 'alice']);
    await terminal.waitFor(/Password for alice: $/m);
    await terminal.type('alice');
    await terminal.press('Enter');
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    assert.match(screen, /\[exit 0\]/, screen);
    assert.match(screen, /^Password for alice: *$/m, 'nothing is echoed after the prompt');
    assert.doesNotMatch(screen.replace(/Signed in as alice[^\n]*/, '').replace(/Password for alice/, ''), /alice/);
    assert.match(screen, /Signed in as alice/);
  });

  it('asks for the username when none is given', async () => {
    const { terminal } = await mlaas(['login', '--password']);
    await terminal.waitFor(/Username: $/m);
    await terminal.type('bob');
    await terminal.press('Enter');
    await terminal.waitFor(/Password for bob: $/m);
    await terminal.type('bob');
    await terminal.press('Enter');
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    assert.match(screen, /\[exit 0\]/, screen);
    assert.match(screen, /^Username: bob$/m);
  });

  it('Ctrl-C at the password prompt cancels (exit 130) and stores nothing', async () => {
    const { terminal, configDir } = await mlaas(['login', '--password', '--username', 'alice']);
    await terminal.waitFor(/Password for alice: $/m);
    await terminal.type('ali');
    await terminal.press('C-c');
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    assert.match(screen, /\[exit 130\]/, screen);
    assert.match(screen, /\(CANCELLED\)/);
    assert.ok(!existsSync(join(configDir, 'credentials.json')));
  });

  it('services list prints an aligned table with a header on a terminal', async () => {
    const home = makeHome();
    homes.push(home);
    await login(stack, home.configDir, 'alice');
    const { terminal } = await mlaas(['services', 'list'], home.configDir);
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    assert.match(screen, /\[exit 0\]/, screen);
    const lines = screen.split('\n');
    const header = lines.find((line) => line.startsWith('NAME'));
    assert.ok(header, screen);
    assert.match(header, /^NAME +ID +ENDPOINT +AUTH +KEY$/);
    const row = lines.find((line) => line.startsWith('Sentiment Analysis')) ?? '';
    // Columns line up under their headers.
    assert.equal(row.indexOf('sentiment-analysis'), header.indexOf('ID'));
    assert.equal(row.indexOf('http://'), header.indexOf('ENDPOINT'));
  });

  it('--no-input on a terminal still never prompts', async () => {
    const { terminal } = await mlaas(['services', 'list', '--no-input']);
    const screen = await terminal.waitFor(/\[exit \d+\]/);
    assert.match(screen, /\[exit 4\]/, screen);
    assert.match(screen, /you are not signed in \(AUTH_REQUIRED\)/);
  });

  it('an ended session on a terminal starts a new sign-in instead of failing', async () => {
    const home = makeHome();
    homes.push(home);
    await login(stack, home.configDir, 'alice');
    const { readCredentials } = await import('../support/stack.js');
    const { refreshToken } = readCredentials(home.configDir).profiles.default as { refreshToken: string };
    await fetch(`${stack.issuer}/protocol/openid-connect/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'mlaas-cli', token: refreshToken }),
    });
    expireStoredToken(home.configDir);
    const { terminal } = await mlaas(['services', 'list'], home.configDir);
    // No display here, so the new sign-in is a device code.
    const screen = await terminal.waitFor(/enter the code: \S+/);
    assert.match(screen, /Your session has expired or was ended; signing in \(profile "default"\)/);
    await terminal.press('C-c');
  });
});
