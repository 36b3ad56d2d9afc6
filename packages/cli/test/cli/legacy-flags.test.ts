/**
 * @module test/cli/legacy-flags
 * The original CLI's action flags become subcommands; everything else passes through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translateLegacyFlags } from '../../src/cli/legacy-flags.js';

describe('original flags', () => {
  it('map to subcommands, keeping the other arguments', () => {
    assert.deepEqual(translateLegacyFlags(['--list']), ['services', 'list']);
    assert.deepEqual(translateLegacyFlags(['--verbose', '--list', '--profile', 'x']), [
      'services',
      'list',
      '--verbose',
      '--profile',
      'x',
    ]);
    assert.deepEqual(translateLegacyFlags(['--health']), ['health']);
    assert.deepEqual(translateLegacyFlags(['--config']), ['config', 'show']);
    assert.deepEqual(translateLegacyFlags(['--logout']), ['logout']);
    assert.deepEqual(translateLegacyFlags(['--init', 'id=42']), ['services', 'init', '42']);
    assert.deepEqual(translateLegacyFlags(['--init', 'name=ML Service']), ['services', 'init', '--name', 'ML Service']);
    assert.deepEqual(translateLegacyFlags(['--init=name=a=b']), ['services', 'init', '--name', 'a=b']);
    assert.deepEqual(translateLegacyFlags(['--init', 'sentiment-analysis']), [
      'services',
      'init',
      'sentiment-analysis',
    ]);
  });

  it('leave subcommand-style arguments alone', () => {
    assert.deepEqual(translateLegacyFlags(['services', 'init', 'x', '--json']), ['services', 'init', 'x', '--json']);
    assert.deepEqual(translateLegacyFlags([]), []);
  });

  it('refuse two actions, and --init without a value', () => {
    assert.throws(() => translateLegacyFlags(['--list', '--logout']), /--list and --logout cannot be combined/);
    assert.throws(() => translateLegacyFlags(['--init']), /--init needs a service/);
    assert.throws(() => translateLegacyFlags(['--init', '--json']), /--init needs a service/);
  });
});
