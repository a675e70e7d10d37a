import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/temp-dir.ts';
import { type CliResult, runCli } from './cli-process.ts';

/** Each command's --help must name these options. */
const HELP: Record<string, readonly string[]> = {
  '': [
    '--version',
    'start',
    'run',
    'config',
    'topics',
    'publish',
    'tail',
    'groups',
    'replay',
    'dlq',
  ],
  start: [],
  run: ['<service...>'],
  config: ['--json'],
  topics: ['--json'],
  publish: [
    '<topic>',
    '[data]',
    '--type',
    '--source',
    '--subject',
    '--key',
    '--delay',
    '--at',
    '--envelope',
    'default: "eventyard.cli.published"',
    'default: "eventyard-cli"',
  ],
  tail: ['<topic>', '--from', '--no-follow', '--limit', '--pretty', 'default: "latest"'],
  groups: ['[topic]', '--json'],
  replay: ['<topic>', '<group>', '--from'],
  dlq: ['list', 'replay'],
  'dlq list': ['<topic>', '--group', '--limit', '--json'],
  'dlq replay': ['<topic>', '--group', '--id', '--from', '--json'],
};

test('--help of every command exits 0, describes it, names its options and shows an example', async () => {
  const results = await Promise.all(
    Object.keys(HELP).map(async (command) => {
      const args = command === '' ? ['--help'] : [...command.split(' '), '--help'];
      return [command, await runCli(args)] as const;
    }),
  );
  for (const [command, result] of results) {
    assert.equal(result.code, 0, `${command} --help: ${result.stderr}`);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, new RegExp(`^Usage: eventyard ${command}`.trim()));
    assert.match(
      result.stdout,
      /Examples:\n {2}\$ (eventyard|npm) /,
      `${command} --help has an example`,
    );
    for (const name of HELP[command]!) {
      assert.ok(result.stdout.includes(name), `${command} --help names ${name}`);
    }
  }
});

function assertRefused(result: CliResult, message: RegExp): void {
  assert.equal(result.code, 2, `exit 2, got ${result.code}: ${result.stderr}`);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, `one line: ${result.stderr}`);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

test('bad input gets one clear line on stderr, exit 2, and opens nothing', async (t) => {
  const dir = tempDir('eventyard-cli-');
  t.after(dir.remove);
  // A data dir that nothing may create: refused input never reaches the engines.
  const dataDir = join(dir.path, 'never');
  const env = { EVENTYARD_DATA_DIR: dataDir };
  const cases: Array<[readonly string[], RegExp, Record<string, string>?]> = [
    [['nope'], /^eventyard: unknown command 'nope'/],
    [['topcs'], /^eventyard: unknown command 'topcs' \(Did you mean topics\?\)/],
    [['publish'], /^eventyard: missing required argument 'topic'/],
    [['publish', 'a..b', '{}'], /^eventyard: EY_VALIDATION: invalid topic name 'a\.\.b': /],
    [['publish', 'orders', '{nope'], /^eventyard: EY_VALIDATION: data is not valid JSON/],
    [
      ['publish', 'orders', '1', '--delay', 'soon'],
      /^eventyard: option '--delay <ms>' argument 'soon' is invalid/,
    ],
    [
      ['publish', 'orders', '1', '--envelope', '--type', 'x'],
      /^eventyard: option '--envelope' cannot be used with option '--type <type>'/,
    ],
    [
      ['tail', 'orders', '--from', 'yesterday'],
      /^eventyard: EY_VALIDATION: invalid position 'yesterday'/,
    ],
    [
      ['replay', 'orders', 'billing'],
      /^eventyard: required option '--from <position>' not specified/,
    ],
    [['groups', 'bad name'], /^eventyard: EY_VALIDATION: invalid topic name 'bad name'/],
    [
      ['topics'],
      /^eventyard: EY_CONFIG: EVENTYARD_PORT="abc" is refused/,
      { EVENTYARD_PORT: 'abc' },
    ],
    [
      ['topics'],
      /^eventyard: EY_CONFIG: EVENTYARD_PROT is not a known setting/,
      { EVENTYARD_PROT: '1' },
    ],
  ];
  const results = await Promise.all(
    cases.map(([args, , extra]) => runCli(args, { env: { ...env, ...extra } })),
  );
  for (const [i, result] of results.entries()) assertRefused(result, cases[i]![1]);
  assert.equal(existsSync(dataDir), false);
});

test('a stack trace only at EVENTYARD_LOG_LEVEL=debug', async () => {
  const result = await runCli(['publish', 'a..b', '1'], { env: { EVENTYARD_LOG_LEVEL: 'debug' } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^eventyard: EY_VALIDATION: invalid topic name/);
  assert.match(result.stderr, /\n\s+at /);
});

test('config lists every variable with its current value and default; a bad one is shown, then refused', async () => {
  const ok = await runCli(['config', '--json'], { env: { EVENTYARD_PORT: '9191' } });
  assert.equal(ok.code, 0, ok.stderr);
  const rows = ok.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const port = rows.find((row) => row.name === 'EVENTYARD_PORT');
  assert.deepEqual(port, {
    name: 'EVENTYARD_PORT',
    current: 9191,
    default: 8080,
    description: port.description,
  });
  assert.ok(port.description.length > 10);
  for (const name of [
    'EVENTYARD_DATA_DIR',
    'EVENTYARD_BROKER',
    'EVENTYARD_STORE',
    'EVENTYARD_OBJECTS',
  ]) {
    assert.ok(
      rows.some((row) => row.name === name),
      name,
    );
  }

  const bad = await runCli(['config'], { env: { EVENTYARD_PARTITIONS: '0' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stdout, /\nEVENTYARD_PARTITIONS\s+0\s+8\s+Partitions/);
  assert.match(bad.stderr, /^eventyard: EY_CONFIG: EVENTYARD_PARTITIONS="0" is refused/);
});
