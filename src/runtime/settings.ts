/**
 * Validation of a group of EVENTYARD_* variables against a zod object
 * schema, the one way every part of eventyard (the runtime, each app)
 * refuses a setting: unknown names of the group and bad values fail with a
 * ConfigError whose message and `path` name the variable.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';

export interface SettingsOptions {
  /** Names outside the schema that are still allowed (read elsewhere). */
  readonly allowed?: (name: string) => boolean;
}

export function parseSettings<S extends z.ZodObject>(
  schema: S,
  values: Readonly<Record<string, unknown>>,
  options: SettingsOptions = {},
): z.output<S> {
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(schema.shape, name) && !options.allowed?.(name)) {
      throw new ConfigError(`${name} is not a known setting (see \`eventyard config\`)`, {
        path: name,
      });
    }
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'configuration');
  throw new ConfigError(`${name}=${JSON.stringify(values[name])} is refused: ${issue.message}`, {
    path: name,
  });
}

/** Each variable of a schema with its description and default, for docs and `eventyard config`. */
export function describeSettings(
  schema: z.ZodObject,
): Array<{ name: string; description: string; default: unknown }> {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    description: (field as z.ZodType).description ?? '',
    default: (field as z.ZodDefault<z.ZodType>).def.defaultValue,
  }));
}

/**
 * `parseSettings` for the variables of `env` whose names start with
 * `prefix` (an app's or a feature's own, such as EVENTYARD_MEDIA_): an
 * unknown name under the prefix is refused like a bad value. With
 * `emptyIsUnset`, a variable set to '' takes its default.
 */
export function parsePrefixedSettings<S extends z.ZodObject>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
  prefix: string,
  options: { readonly emptyIsUnset?: boolean } = {},
): z.output<S> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined) continue;
    if (options.emptyIsUnset && value === '') continue;
    values[name] = value;
  }
  return parseSettings(schema, values);
}

/** A yes or no, read from a variable's text (1/0, true/false, yes/no, on/off). */
export const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], {
    error: 'must be one of 1, 0, true, false, yes, no, on, off',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** A whole number in [min, max], read from a variable's text. */
export function wholeNumber(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}
