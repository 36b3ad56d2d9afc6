/**
 * @module cli/open-browser
 * Opens a URL in the user's browser: `$BROWSER` when set, else `open` (macOS), `xdg-open` (Linux, BSD)
 * or `start` (Windows). Fire and forget: the URL is always printed too, in case nothing opens.
 */
import { spawn } from 'node:child_process';
import type { Env } from '../config/paths.js';

/**
 * Tries to open a URL; resolves once the command has started or failed to.
 *
 * @example
 * ```ts
 * openBrowser('http://127.0.0.1:5000/realms/mlaas/protocol/openid-connect/auth?...', process.env, process.platform);
 * ```
 */
export function openBrowser(url: string, env: Env, platform: NodeJS.Platform): Promise<void> {
  const [command, args] = env.BROWSER
    ? [env.BROWSER, [url]]
    : platform === 'darwin'
      ? ['open', [url]]
      : platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, { detached: true, stdio: 'ignore' });
      child.once('error', () => resolve());
      child.once('spawn', () => {
        child.unref();
        resolve();
      });
    } catch {
      resolve();
    }
  });
}
