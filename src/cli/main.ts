/**
 * The `eventyard` command (bin/eventyard.js loads this file): wires the
 * commands, parses the command line, and turns any failure into one line on
 * stderr and an exit status (see failure.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { bucketsCommand } from './commands/buckets.ts';
import { catalogCommand } from './commands/catalog.ts';
import { configCommand } from './commands/config.ts';
import { dlqCommand } from './commands/dlq.ts';
import { groupsCommand } from './commands/groups.ts';
import { publishCommand } from './commands/publish.ts';
import { replayCommand } from './commands/replay.ts';
import { runCommand } from './commands/run.ts';
import { startCommand } from './commands/start.ts';
import { tailCommand } from './commands/tail.ts';
import { tokenCommand } from './commands/token.ts';
import { topicsCommand } from './commands/topics.ts';
import { EXIT_OK, reportFailure, usageErrorLine } from './failure.ts';
import { examples } from './help-text.ts';

const { version } = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8'),
) as { version: string };

/** The program with every command; settings made here are inherited by each. */
export function buildProgram(): Command {
  const program = new Command('eventyard')
    .description(
      'eventyard: event-driven apps on embedded engines or NATS, RabbitMQ, Redis, PostgreSQL and S3. Engines and ports come from EVENTYARD_* variables (see `eventyard config`).',
    )
    .version(version, '-v, --version', 'print the version')
    // Commander throws instead of exiting: every failure ends in main, which
    // prints one line and picks the exit status.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(usageErrorLine(text)) })
    .addHelpText(
      'after',
      examples(
        'npm start                       # every app and service on one port',
        'eventyard publish orders \'{"id":1}\' && eventyard tail orders --from earliest',
        'eventyard groups',
        'eventyard <command> --help',
      ),
    );
  for (const add of [
    startCommand,
    runCommand,
    configCommand,
    topicsCommand,
    publishCommand,
    tailCommand,
    groupsCommand,
    replayCommand,
    dlqCommand,
    bucketsCommand,
    tokenCommand,
    catalogCommand,
  ]) {
    add(program);
  }
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  // `eventyard tail … | head` closes the pipe early: that is a normal end.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT_OK);
    throw error;
  });
  try {
    await buildProgram().parseAsync(argv as string[]);
    return EXIT_OK;
  } catch (error) {
    return reportFailure(error);
  }
}

process.exitCode = await main(process.argv);
