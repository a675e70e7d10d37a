/**
 * Validates one part of an HTTP request (params, query, body) with a zod
 * schema; the first problem becomes a ValidationError naming the field, so
 * the client learns which input to fix.
 */
import type { z } from 'zod';
import { ValidationError } from '../core/errors.ts';

export type RequestPart = 'params' | 'query' | 'body' | 'header';

const PART_NAMES: Record<RequestPart, string> = {
  params: 'path parameter',
  query: 'query parameter',
  body: 'body field',
  header: 'header',
};

export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: RequestPart,
): z.output<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  // An unknown key is reported on its parent; the client wants the key's own name.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
  const field = path.map(String).join('.');
  const subject =
    field === '' ? (part === 'body' ? 'body' : part) : `${PART_NAMES[part]} '${field}'`;
  throw new ValidationError(`${subject}: ${issue.message}`, {
    path: field === '' ? part : field,
    in: part,
  });
}
