/**
 * JSON given on the command line or piped in. Stdin holds either one JSON
 * value (pretty-printed is fine) or JSON lines, one value per line; a bad
 * line is refused with its number before anything is published.
 */
import { ValidationError } from '../core/errors.ts';

/** Parses `text` as JSON; refuses it naming `what` (e.g. "data"). */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      `${what} is not valid JSON (${(error as Error).message}); quote it for the shell, e.g. '{"id":1}' or '"text"'`,
      { path: what },
    );
  }
}

/** The values in a stdin text: one JSON value, or one per non-blank line. */
export function parseJsonValues(text: string, what: string): unknown[] {
  if (text.trim() === '') {
    throw new ValidationError(`${what}: stdin was empty`, { path: what });
  }
  try {
    return [JSON.parse(text)];
  } catch {
    // Not one value: read it as JSON lines.
  }
  const values: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    values.push(parseJson(line, `${what} line ${i + 1}`));
  }
  return values;
}

/** Everything on stdin, as UTF-8 text. */
export async function readStdin(input: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}
