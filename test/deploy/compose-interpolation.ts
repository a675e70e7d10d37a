/**
 * Docker Compose's variable interpolation, for the forms compose.yaml
 * uses: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
 * `${VAR?message}` and `$$` for a literal `$`. A required variable that is
 * missing fails with its message, as `docker compose` does.
 */

const REFERENCE =
  /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

export interface VariableUse {
  readonly name: string;
  /** `:?` or `?`: compose refuses to run without it. */
  readonly required: boolean;
  /** The `:-` or `-` default, if any. */
  readonly fallback?: string;
}

/** The variables a string refers to. */
export function variablesIn(text: string): VariableUse[] {
  const uses: VariableUse[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    if (match[0] === '$$') continue;
    const name = (match[1] ?? match[5])!;
    const operator = match[3];
    uses.push({
      name,
      required: operator === '?',
      ...(operator === '-' ? { fallback: match[4] ?? '' } : {}),
    });
  }
  return uses;
}

export function interpolate(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(REFERENCE, (whole, braced, colon, operator, word, plain) => {
    if (whole === '$$') return '$';
    const name = (braced ?? plain) as string;
    const value = env.get(name);
    const unset = value === undefined || (colon === ':' && value === '');
    if (operator === '?' && unset) throw new Error(`required variable ${name} is missing: ${word}`);
    if (operator === '-' && unset) return word as string;
    return value ?? '';
  });
}

/** Interpolates every string inside a parsed YAML value. */
export function interpolateAll(value: unknown, env: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, env));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateAll(item, env)]),
    );
  }
  return value;
}
