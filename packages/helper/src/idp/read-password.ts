// Kept by hand: `read` 5 (the last major for Node 20) never settles when Ctrl-D ends the prompt, which would
// make `users add` exit 0 having added nobody; @inquirer/password pulls in a prompt framework for one prompt.
/**
 * @module idp/read-password
 * Reads a password for the admin commands: from a terminal without echo, or the first line of stdin
 * (`--password-stdin`) for scripts.
 */
import type { Readable, Writable } from 'node:stream';

/** Input the password is read from: a TTY (raw mode) or a pipe. */
export interface PasswordInput extends Readable {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/**
 * Reads everything from a stream and returns its first line (without the line break).
 * @example const password = await readFirstLine(process.stdin);
 */
export async function readFirstLine(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/**
 * Prompts on a terminal and reads a line without echoing it. Ctrl-C or Ctrl-D abort with an error.
 * @example const password = await promptHidden('Password: ', process.stdin, process.stderr);
 */
export function promptHidden(prompt: string, input: PasswordInput, output: Writable): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!input.isTTY || typeof input.setRawMode !== 'function') {
      reject(new Error('no terminal to prompt on; use --password-stdin'));
      return;
    }
    output.write(prompt);
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    let value = '';
    const finish = (error: Error | null) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    function onData(chunk: string): void {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish(null);
        if (char === '\u0003' || char === '\u0004') return finish(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    }
    input.on('data', onData);
  });
}
