/**
 * How the command fails: one line on stderr, `eventyard: <message>`, with
 * the error's code when it is an EventyardError, and an exit status a
 * script can branch on. Stack traces only at EVENTYARD_LOG_LEVEL=debug (or
 * trace): a user wants the reason, a developer the trace.
 */
import { CommanderError } from 'commander';
import { describeError, EventyardError } from '../core/errors.ts';

export const EXIT_OK = 0;
/** Anything that is not the caller's fault: engine trouble, a conflict, a bug. */
export const EXIT_FAILURE = 1;
/** The caller's input was wrong: usage, validation, configuration. */
export const EXIT_USAGE = 2;

const USAGE_CODES = new Set(['EY_VALIDATION', 'EY_CONFIG']);

export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (error instanceof EventyardError && USAGE_CODES.has(error.code)) return EXIT_USAGE;
  return EXIT_FAILURE;
}

/** The one line a failure prints, without the `eventyard: ` prefix and on one line. */
export function failureLine(error: unknown): string {
  return describeError(error)
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/**
 * Prints a failure and returns the exit status. Commander has already
 * printed its own usage errors (see `usageErrorLine`), so they are not
 * repeated.
 */
export function reportFailure(
  error: unknown,
  write: (text: string) => void = (text) => process.stderr.write(text),
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (!(error instanceof CommanderError)) {
    write(`eventyard: ${failureLine(error)}\n`);
    const level = env.EVENTYARD_LOG_LEVEL;
    if ((level === 'debug' || level === 'trace') && error instanceof Error && error.stack) {
      write(`${error.stack}\n`);
    }
  }
  return exitCodeOf(error);
}

/** Commander's `error: unknown command 'x'\n(Did you mean y?)`, as our one line. */
export function usageErrorLine(text: string): string {
  return `eventyard: ${text
    .replace(/^error: /, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim()}\n`;
}
