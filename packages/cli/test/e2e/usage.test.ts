/**
 * @module test/e2e/usage
 * What a user used to `gh` or `kubectl` expects from mistakes on the command line: exit code 2, and a
 * message that says what is wrong and where to look. None of these runs needs a server.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeHome, runCli } from '../support/stack.js';

describe('usage', () => {
  const home = makeHome();
  const env = { MLAAS_CONFIG_DIR: home.configDir };
  after(() => home.remove());

  it('help lists every exit code (130 included) and --allow-insecure-http', async () => {
    const result = await runCli(['--help'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Exit codes: 0 ok, 1 error, 2 usage, 4 sign-in needed or failed, 130 cancelled\./);
    assert.match(result.stdout, /^ {2}--allow-insecure-http /m);
  });

  it('`mlaas help nope` exits 2; `mlaas help services` shows that help', async () => {
    const nope = await runCli(['help', 'nope'], { env });
    assert.equal(nope.code, 2);
    assert.match(nope.stderr, /^error: no help topic "nope" \(USAGE_ERROR\)$/m);
    const services = await runCli(['help', 'services'], { env });
    assert.equal(services.code, 0, services.stderr);
    assert.match(services.stdout, /Usage: mlaas services/);
  });

  it("a typo in a subcommand points at that command's help", async () => {
    const result = await runCli(['services', 'lsit'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown command 'lsit'/);
    assert.match(result.stderr, /^hint: run mlaas services --help for usage$/m);
  });

  it('`services init` without a service says what is missing', async () => {
    const result = await runCli(['services', 'init'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^error: missing the service: give its id or its name \(USAGE_ERROR\)$/m);
    assert.match(result.stderr, /^hint: mlaas services init ID, or mlaas services init --name "NAME"/m);
  });

  it('an unknown --profile is an error naming the known profiles, not the built-in defaults', async () => {
    writeFileSync(join(home.configDir, 'config.json'), JSON.stringify({ profiles: { work: {} } }));
    const result = await runCli(['config', 'show', '--profile', 'wrok'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown profile "wrok" \(known: "default", "work"\) \(INVALID_SETTING\)/);
    assert.equal(result.stdout, '');
    const known = await runCli(['config', 'show', '--profile', 'work'], { env });
    assert.equal(known.code, 0, known.stderr);
  });
});
