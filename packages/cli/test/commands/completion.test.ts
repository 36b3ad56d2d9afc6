/**
 * @module test/commands/completion
 * `mlaas completion bash|zsh|fish` prints scripts that complete commands and options (bash is exercised
 * for real; zsh and fish are syntax-checked when installed).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/stack.js';

const has = (command: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const dir = mkdtempSync(join(tmpdir(), 'mlaas-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('shell completion', () => {
  const scripts: Record<string, string> = {};
  before(async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const result = await runCli(['completion', shell], { env: { MLAAS_CONFIG_DIR: dir } });
      assert.equal(result.code, 0, result.stderr);
      scripts[shell] = result.stdout;
      writeFileSync(join(dir, `mlaas.${shell}`), result.stdout);
    }
  });

  /** What bash offers after the given words (the last one is being completed). */
  function complete(...words: string[]): string[] {
    const script = `source ${join(dir, 'mlaas.bash')}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _mlaas_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  }

  it('bash: commands, subcommands and options', () => {
    assert.deepEqual(complete('mlaas', 'se'), ['secret', 'services']);
    assert.deepEqual(complete('mlaas', 'secret', ''), ['kubernetes']);
    assert.deepEqual(complete('mlaas', 'env', '--f'), ['--format']);
    assert.deepEqual(complete('mlaas', 'services', ''), ['init', 'list']);
    assert.deepEqual(complete('mlaas', 'completion', ''), ['bash', 'fish', 'zsh']);
    assert.deepEqual(complete('mlaas', 'login', '--pa'), ['--password', '--password-stdin']);
    assert.ok(complete('mlaas', '--').includes('--list'));
    assert.ok(complete('mlaas', 'services', 'list', '--').includes('--json'));
    assert.deepEqual(complete('mlaas', '--profile', 'x', 'he'), ['health', 'help']);
  });

  it(
    'zsh and fish scripts are valid',
    { skip: !has('zsh') && !has('fish') && 'neither zsh nor fish installed' },
    () => {
      if (has('zsh')) execFileSync('zsh', ['-n', join(dir, 'mlaas.zsh')]);
      if (has('fish')) {
        execFileSync('fish', ['--no-execute', join(dir, 'mlaas.fish')]);
        const offered = execFileSync(
          'fish',
          ['-c', `source ${join(dir, 'mlaas.fish')}; complete -C 'mlaas services '`],
          { encoding: 'utf8' },
        );
        assert.deepEqual(
          offered
            .split('\n')
            .filter(Boolean)
            .map((line) => line.split('\t')[0])
            .sort(),
          ['init', 'list'],
        );
      }
    },
  );

  it('every script names the commands', () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      for (const command of ['login', 'logout', 'whoami', 'services', 'health', 'config', 'completion']) {
        assert.ok((scripts[shell] ?? '').includes(command), `${shell} lacks ${command}`);
      }
    }
    assert.match(scripts.zsh ?? '', /^#compdef mlaas mlaas-cli/);
    assert.match(scripts.fish ?? '', /complete -c mlaas /);
  });

  it('an unknown shell is a usage error', async () => {
    const result = await runCli(['completion', 'tcsh'], { env: { MLAAS_CONFIG_DIR: dir } });
    assert.equal(result.code, 2);
  });
});
