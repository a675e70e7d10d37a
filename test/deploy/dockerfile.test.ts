/**
 * deploy/Dockerfile, read instruction by instruction (no Docker engine
 * here): the base image, npm ci without dev dependencies, a non-root user,
 * a health check on /health, `node bin/eventyard.js` as the command, and
 * build inputs that exist and that the .dockerignore lets through.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPO, readDeployText } from './deploy-files.ts';
import {
  type DockerInstruction,
  execForm,
  optionsOf,
  parseDockerfile,
  stagesOf,
} from './dockerfile-instructions.ts';

const BASE_IMAGE = 'node:20-bookworm-slim';
const ROOT_USERS = new Set(['root', '0']);

const instructions = parseDockerfile(readDeployText('Dockerfile'));
const stages = stagesOf(instructions);
const image = stages[stages.length - 1]!;
const last = (keyword: string): DockerInstruction | undefined =>
  image.instructions.filter((i) => i.keyword === keyword).at(-1);

describe('the Dockerfile reader', () => {
  test('joins continuations, drops comments inside them, keeps line numbers', () => {
    const parsed = parseDockerfile(
      [
        '# syntax=docker/dockerfile:1',
        'FROM node:20 AS deps',
        'RUN apt-get update \\',
        '  # a comment inside',
        '  && apt-get install -y make',
        'cmd ["node", "x.js"]',
      ].join('\n'),
    );
    assert.deepEqual(
      parsed.map((i) => [i.keyword, i.args, i.line]),
      [
        ['FROM', 'node:20 AS deps', 2],
        ['RUN', 'apt-get update && apt-get install -y make', 3],
        ['CMD', '["node", "x.js"]', 6],
      ],
    );
    assert.deepEqual(execForm(parsed[2]!.args), ['node', 'x.js']);
    assert.equal(execForm('node x.js'), undefined);
  });

  test('splits stages and reads options', () => {
    const parsed = stagesOf(
      parseDockerfile('ARG V=1\nFROM a AS one\nRUN x\nFROM --platform=linux/amd64 b\nUSER 1'),
    );
    assert.deepEqual(
      parsed.map((s) => [s.base, s.name, s.instructions.map((i) => i.keyword)]),
      [
        ['a', 'one', ['RUN']],
        ['b', undefined, ['USER']],
      ],
    );
    const { options, rest } = optionsOf('--interval=10s --retries=3 CMD ["x"]');
    assert.deepEqual(
      [...options],
      [
        ['interval', '10s'],
        ['retries', '3'],
      ],
    );
    assert.equal(rest, 'CMD ["x"]');
  });

  test('refuses what it would misread', () => {
    assert.throws(() => parseDockerfile('# escape=`\nFROM a'), /escape/);
    assert.throws(() => parseDockerfile('FROM a\nRUN <<EOF\nx\nEOF'), /heredoc/);
    assert.throws(() => parseDockerfile('FROM a\nRUN x \\'), /ends with/);
    assert.throws(() => stagesOf(parseDockerfile('RUN x\nFROM a')), /before the first FROM/);
  });
});

describe('deploy/Dockerfile', () => {
  test(`every stage builds on ${BASE_IMAGE} (or an earlier stage)`, () => {
    assert.ok(stages.length >= 1);
    const names = new Set<string>();
    for (const stage of stages) {
      assert.ok(
        stage.base === BASE_IMAGE || names.has(stage.base),
        `FROM ${stage.base}: expected ${BASE_IMAGE}`,
      );
      if (stage.name) names.add(stage.name);
    }
  });

  test('installs the locked production dependencies with npm ci', () => {
    const installs = stages.flatMap((s) =>
      s.instructions.filter((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args)),
    );
    assert.equal(installs.length, 1, 'one npm ci');
    assert.match(installs[0]!.args, /--omit=dev\b/);
    // The image's node_modules are those npm ci built (better-sqlite3's and sharp's binaries).
    const copies = image.instructions.filter(
      (i) => i.keyword === 'COPY' && /node_modules/.test(i.args),
    );
    assert.equal(copies.length, 1, 'node_modules copied once into the image');
    const from = optionsOf(copies[0]!.args).options.get('from');
    const installer = stages.find((s) => s.instructions.includes(installs[0]!));
    assert.ok(from !== undefined && from === installer?.name, 'from the stage that ran npm ci');
  });

  test('runs as a non-root user, by number (for runAsNonRoot)', () => {
    const user = last('USER');
    assert.ok(user, 'the image sets USER');
    const name = user.args.split(':')[0]!;
    assert.ok(!ROOT_USERS.has(name), `USER ${user.args} is root`);
    assert.match(name, /^[1-9]\d*$/);
    // Nothing after USER switches back or needs root.
    const after = image.instructions.filter((i) => i.line > user.line);
    assert.ok(!after.some((i) => i.keyword === 'USER' || i.keyword === 'RUN'));
  });

  test('checks /health on the configured port', () => {
    const check = last('HEALTHCHECK');
    assert.ok(check, 'HEALTHCHECK present');
    const { options, rest } = optionsOf(check.args);
    assert.ok(options.has('interval') && options.has('timeout'));
    assert.ok(rest.startsWith('CMD '), 'HEALTHCHECK CMD ...');
    const command = execForm(rest.slice('CMD '.length));
    assert.ok(command, 'exec form (no shell in the way)');
    assert.equal(command[0], 'node');
    assert.match(command.join(' '), /\/health/);
    assert.match(command.join(' '), /EVENTYARD_PORT/);
  });

  test('listens on every interface and runs node bin/eventyard.js', () => {
    const env = image.instructions
      .filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    assert.match(env, /EVENTYARD_HOST=0\.0\.0\.0/);
    assert.match(env, /EVENTYARD_PORT=8080/);
    const entrypoint = execForm(last('ENTRYPOINT')?.args ?? '');
    assert.deepEqual(entrypoint, ['node', 'bin/eventyard.js']);
    assert.deepEqual(execForm(last('CMD')?.args ?? ''), ['start']);
    assert.ok(existsSync(join(REPO, 'bin/eventyard.js')));
    assert.equal(last('EXPOSE')?.args, '8080');
  });

  test('copies only what exists and what the .dockerignore lets through', () => {
    const ignore = readDeployText('Dockerfile.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    assert.equal(ignore[0], '**', 'everything is excluded, then the inputs let through');
    const allowed = ignore.slice(1).map((line) => line.replace(/^!/, '').replace(/\/\*\*$/, ''));
    const sources = stages.flatMap((s) =>
      s.instructions
        .filter((i) => i.keyword === 'COPY' && !optionsOf(i.args).options.has('from'))
        .flatMap((i) => optionsOf(i.args).rest.split(/\s+/).slice(0, -1)),
    );
    assert.ok(sources.length > 0);
    for (const source of sources) {
      assert.ok(existsSync(join(REPO, source)), `${source} exists`);
      assert.ok(allowed.includes(source), `${source} is let through Dockerfile.dockerignore`);
    }
    for (const needed of ['package.json', 'package-lock.json', 'bin', 'src']) {
      assert.ok(sources.includes(needed), `the image copies ${needed}`);
    }
  });
});
