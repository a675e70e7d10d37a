/**
 * Metric and label names a PromQL expression refers to, for checking the
 * Grafana dashboard against the metrics the code registers. Not a PromQL
 * parser: it removes what cannot be a metric name (strings, label
 * matchers, ranges, grouping clauses, Grafana variables, function and
 * operator names, numbers and durations) and keeps the identifiers left. Good for the dashboard's
 * expressions; an expression it cannot read (an unbalanced brace, say) is
 * refused rather than guessed at.
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)/g;
const IDENTIFIER = /[A-Za-z_:][A-Za-z0-9_:]*/g;
const MATCHER = /([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)/g;

function withoutStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
}

function checkBalanced(expr: string): void {
  const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
  const stack: string[] = [];
  for (const char of withoutStrings(expr)) {
    if (char === '(' || char === '{' || char === '[') stack.push(char);
    else if (char in pairs && stack.pop() !== pairs[char]) {
      throw new Error(`unbalanced ${char} in ${expr}`);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed ${stack.join('')} in ${expr}`);
}

/** Metric names the expression selects, each once, in order of appearance. */
export function metricNamesIn(expr: string): string[] {
  checkBalanced(expr);
  const bare = withoutStrings(expr)
    .replace(/\{[^{}]*\}/g, ' ')
    .replace(/\[[^[\]]*\]/g, ' ')
    .replace(GROUPING, ' ')
    .replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, ' ')
    // Numbers and durations (0.95, 1e3, 5m after offset) are no names.
    .replace(/(?<![A-Za-z0-9_:])\d[\w.]*/g, ' ');
  const names: string[] = [];
  for (const match of bare.matchAll(IDENTIFIER)) {
    const name = match[0];
    const after = bare.slice(match.index + name.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(name.toLowerCase())) continue;
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** Label names the expression matches on or groups by, each once. */
export function labelNamesIn(expr: string): string[] {
  checkBalanced(expr);
  const text = withoutStrings(expr);
  const names = new Set<string>();
  for (const selector of text.matchAll(/\{([^{}]*)\}/g)) {
    for (const matcher of selector[1]!.matchAll(MATCHER)) names.add(matcher[1]!);
  }
  for (const grouping of text.matchAll(GROUPING)) {
    for (const label of grouping[2]!.split(',')) {
      if (label.trim() !== '') names.add(label.trim());
    }
  }
  return [...names];
}

/**
 * Grafana's `label_values(<selector>, <label>)` variable query, split into
 * the selector (a PromQL expression) and the label.
 */
export function labelValuesQuery(query: string): { selector: string; label: string } {
  const match = /^\s*label_values\(\s*([\s\S]+)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/.exec(
    query,
  );
  if (!match) throw new Error(`not a label_values(<selector>, <label>) query: ${query}`);
  return { selector: match[1]!.trim(), label: match[2]! };
}
