/**
 * @module test/cli/io
 * The process's streams: stdin is opened only when read, and whether a prompt is allowed is answered without
 * opening it.
 */
import assert from 'node:assert/strict';
import { isatty } from 'node:tty';
import { describe, it } from 'node:test';
import { canPrompt, processIo, type Io } from '../../src/cli/io.js';

const fakeIo = (stdinIsTTY: boolean | undefined, streamIsTTY: boolean, env: Io['env'] = {}): Io => ({
  stdin: { isTTY: streamIsTTY } as unknown as Io['stdin'],
  ...(stdinIsTTY === undefined ? {} : { stdinIsTTY }),
  stdout: process.stdout,
  stderr: process.stderr,
  env,
  platform: 'linux',
});

describe('process io', () => {
  it('does not open stdin until a command reads it', () => {
    const descriptor = Object.getOwnPropertyDescriptor(process, 'stdin');
    assert.ok(descriptor?.get && descriptor.configurable);
    let opened = 0;
    Object.defineProperty(process, 'stdin', {
      configurable: true,
      enumerable: descriptor.enumerable ?? false,
      get() {
        opened += 1;
        return descriptor.get?.call(process);
      },
    });
    try {
      const io = processIo();
      assert.equal(canPrompt(io, true), isatty(0));
      assert.equal(opened, 0);
      assert.equal(io.stdin, process.stdin);
      assert.ok(opened > 0);
    } finally {
      Object.defineProperty(process, 'stdin', descriptor);
    }
  });

  it('a prompt needs a terminal on stdin, input allowed and MLAAS_NO_INPUT unset', () => {
    assert.equal(canPrompt(fakeIo(true, false), true), true, 'stdinIsTTY is read before the stream');
    assert.equal(canPrompt(fakeIo(false, true), true), false);
    assert.equal(canPrompt(fakeIo(undefined, true), true), true, 'without stdinIsTTY the stream is asked');
    assert.equal(canPrompt(fakeIo(undefined, false), true), false);
    assert.equal(canPrompt(fakeIo(true, true), false), false);
    assert.equal(canPrompt(fakeIo(true, true, { MLAAS_NO_INPUT: '1' }), true), false);
  });
});
