/**
 * The image's rules, read from deploy/Containerfile (no container engine is needed): pinned bases, a
 * non-root numeric user, production dependencies only, a working HEALTHCHECK, and no secrets.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keyValues, parseContainerfile, splitImage, type Stage } from './support/containerfile.js';
import { REPO_ROOT } from './support/helm.js';

const text = readFileSync(join(REPO_ROOT, 'deploy/Containerfile'), 'utf8');
const file = parseContainerfile(text);
const stageNames = new Set(file.stages.map((s) => s.name).filter((n): n is string => n !== null));
const finalStage = file.stages.at(-1) as Stage;

function instructions(stage: Stage, keyword: string) {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

function envOf(stage: Stage): Map<string, string> {
  return new Map(instructions(stage, 'ENV').flatMap((i) => keyValues(i.args)));
}

/** The stage a `COPY --from=<stage> <src>… <dest>` of the final stage takes `node_modules` from. */
function nodeModulesSource(): Stage | undefined {
  const copy = instructions(finalStage, 'COPY').find((i) => /--from=\S+/.test(i.args) && /node_modules/.test(i.args));
  const from = /--from=(\S+)/.exec(copy?.args ?? '')?.[1];
  return file.stages.find((s) => s.name === from);
}

/** The JSON-form command of the HEALTHCHECK. */
function healthcheckCommand(): string[] {
  const healthcheck = instructions(finalStage, 'HEALTHCHECK')[0];
  const json = /CMD\s+(\[.*\])\s*$/s.exec(healthcheck?.args ?? '')?.[1];
  assert.ok(json, 'HEALTHCHECK uses the exec (JSON) form');
  return JSON.parse(json) as string[];
}

async function runHealthcheck(status: number): Promise<number> {
  const server: Server = createServer((request, response) => {
    response.statusCode = request.url === '/api/health' ? status : 404;
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const [command, ...args] = healthcheckCommand();
    assert.equal(command, 'node', 'the HEALTHCHECK runs node (the slim image has no curl or wget)');
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH, PORT: String(port) },
      stdio: 'ignore',
    });
    return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    server.close();
  }
}

describe('deploy/Containerfile', () => {
  it('is multi-stage, and the runtime stage starts from a different (slim) image than the build', () => {
    assert.ok(file.stages.length >= 2, 'a build stage and a runtime stage');
    const build = file.stages[0] as Stage;
    assert.notEqual(finalStage.from, build.from);
    assert.match(finalStage.from, /slim|minimal/, 'the runtime image carries no compilers');
  });

  it('pins every base image to an explicit version tag (or digest), never latest', () => {
    for (const stage of file.stages) {
      if (stageNames.has(stage.from)) continue;
      assert.doesNotMatch(stage.from, /\$/, `FROM ${stage.from} has an unresolved ARG`);
      const { tag, digest } = splitImage(stage.from);
      if (digest !== null) {
        assert.match(digest, /^sha256:[a-f0-9]{64}$/);
        continue;
      }
      assert.ok(tag, `FROM ${stage.from} has no tag`);
      assert.notEqual(tag, 'latest', `FROM ${stage.from} uses latest`);
      assert.match(tag, /^v?\d+\.\d+\.\d+/, `FROM ${stage.from}: the tag names an exact version (major.minor.patch)`);
    }
  });

  it('builds and runs on Node.js 20', () => {
    for (const stage of file.stages.filter((s) => !stageNames.has(s.from))) {
      assert.match(splitImage(stage.from).tag ?? '', /^20\./, `${stage.from} is Node.js 20`);
    }
  });

  it('runs as a non-root numeric user in the final stage', () => {
    const users = instructions(finalStage, 'USER');
    assert.ok(users.length > 0, 'the final stage sets USER');
    const user = (users.at(-1)?.args ?? '').trim();
    assert.match(user, /^\d+(:\d+)?$/, `USER ${user} is numeric, so runAsNonRoot can verify it`);
    assert.notEqual(Number(user.split(':')[0]), 0, 'USER is not root');
  });

  it('never ADDs a remote URL', () => {
    for (const stage of file.stages) {
      for (const add of instructions(stage, 'ADD')) {
        assert.doesNotMatch(add.args, /(https?|git|ftp):\/\//i, `line ${add.line}: ADD of a URL`);
      }
    }
  });

  it('ships production dependencies only', () => {
    const source = nodeModulesSource();
    assert.ok(source, 'the final stage copies node_modules from a named stage');
    const installs = instructions(source, 'RUN').filter((i) => /\bnpm\s+(ci|install|i)\b/.test(i.args));
    assert.ok(installs.length > 0, `stage ${source.name} installs with npm`);
    for (const install of installs) {
      assert.match(
        install.args,
        /--omit=dev|--production\b/,
        `line ${install.line}: npm installs production dependencies only`,
      );
      assert.match(install.args, /\bnpm ci\b/, `line ${install.line}: npm ci installs exactly the lockfile`);
    }
    // The final stage itself installs nothing and copies no development tree.
    assert.equal(instructions(finalStage, 'RUN').filter((i) => /\bnpm\b/.test(i.args)).length, 0);
    for (const copy of instructions(finalStage, 'COPY')) {
      assert.doesNotMatch(
        copy.args,
        /packages\/[^/\s]+\/(src|test)\b|\s\.\s*$/,
        `line ${copy.line}: no sources, tests or whole trees in the image`,
      );
    }
  });

  it('copies the compiled helper and starts it with node', () => {
    const cmd = instructions(finalStage, 'CMD').at(-1);
    assert.ok(cmd, 'CMD is set');
    const command = JSON.parse(cmd.args) as string[];
    assert.equal(command[0], 'node');
    assert.equal(command[1], 'packages/helper/dist/bin/mlaas-helper.js');
    assert.ok(
      instructions(finalStage, 'COPY').some((i) => /packages\/helper\/dist\s+\.\/packages\/helper\/dist/.test(i.args)),
      'the helper build is copied where CMD expects it',
    );
    assert.ok(
      instructions(finalStage, 'COPY').some((i) => /packages\/helper\/web\s+\.\/packages\/helper\/web/.test(i.args)),
      'the web page is copied next to it (the helper reads it at start)',
    );
  });

  it('listens on every interface on port 5000 in production mode, with its data on a volume', () => {
    const env = envOf(finalStage);
    assert.equal(env.get('HOST'), '0.0.0.0');
    assert.equal(env.get('NODE_ENV'), 'production');
    assert.equal(env.get('PORT') ?? '5000', '5000');
    const dataDir = env.get('MLAAS_DATA_DIR') ?? '';
    assert.ok(dataDir.startsWith('/'), 'MLAAS_DATA_DIR is an absolute path');
    assert.ok(
      instructions(finalStage, 'VOLUME').some((i) => i.args.includes(dataDir)),
      'the data directory is a volume',
    );
    assert.ok(instructions(finalStage, 'EXPOSE').some((i) => /\b5000\b/.test(i.args)));
  });

  it('carries the OCI labels', () => {
    const labels = new Map(instructions(finalStage, 'LABEL').flatMap((i) => keyValues(i.args)));
    for (const label of ['title', 'description', 'licenses', 'version', 'revision', 'source']) {
      assert.ok(labels.has(`org.opencontainers.image.${label}`), `label org.opencontainers.image.${label}`);
    }
  });

  it('has a HEALTHCHECK on /api/health that passes on 200 and fails otherwise', async () => {
    assert.equal(instructions(finalStage, 'HEALTHCHECK').length, 1);
    assert.match(healthcheckCommand().join(' '), /\/api\/health/);
    assert.equal(await runHealthcheck(200), 0);
    assert.equal(await runHealthcheck(503), 1);
  });

  it('holds no secrets: no ENV, ARG or LABEL with a key, token, password or secret', () => {
    const secretName = /KEY|TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL/i;
    for (const stage of file.stages) {
      for (const instruction of [
        ...instructions(stage, 'ENV'),
        ...instructions(stage, 'ARG'),
        ...instructions(stage, 'LABEL'),
      ]) {
        for (const [name, value] of keyValues(instruction.args)) {
          if (secretName.test(name))
            assert.equal(value, '', `line ${instruction.line}: ${name} has a value in the image`);
        }
      }
      for (const copy of instructions(stage, 'COPY')) {
        assert.doesNotMatch(
          copy.args,
          /\.env\b|\.npmrc|secret|\.pem\b|\.key\b/i,
          `line ${copy.line}: copies a secret file`,
        );
      }
    }
    assert.doesNotMatch(text, /--mount=type=secret/, 'no build secrets are needed');
  });
});

describe('.containerignore', () => {
  const ignore = readFileSync(join(REPO_ROOT, '.containerignore'), 'utf8');
  const patterns = new Set(
    ignore
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#')),
  );

  it('keeps installed and built trees, version control, tests, benchmarks, local data and secrets out', () => {
    for (const pattern of [
      'node_modules',
      '**/node_modules',
      'dist',
      '**/dist',
      '.git',
      '**/test',
      'bench',
      '.mlaas-data',
      '*.env',
      '**/*.env',
      'secrets',
      '**/secrets',
    ]) {
      assert.ok(patterns.has(pattern), `.containerignore lists ${pattern}`);
    }
    assert.ok(patterns.has('deploy/*') || patterns.has('deploy/helm'), 'the Helm chart stays out of the build context');
  });

  it('keeps what the build reads', () => {
    for (const needed of [
      'package.json',
      'package-lock.json',
      'tsconfig.base.json',
      'packages',
      'packages/helper/catalog',
      'packages/helper/web',
    ]) {
      assert.ok(!patterns.has(needed), `${needed} is not ignored`);
    }
    if (patterns.has('deploy/*'))
      assert.ok(patterns.has('!deploy/Containerfile'), 'the Containerfile stays in the context');
  });

  it('is what docker reads too (.dockerignore)', () => {
    const path = join(REPO_ROOT, '.dockerignore');
    if (lstatSync(path).isSymbolicLink()) assert.equal(readlinkSync(path), '.containerignore');
    else assert.equal(readFileSync(path, 'utf8'), ignore);
  });
});
