/**
 * Prometheus' relabelling (the `replace`, `keep` and `drop` actions) applied
 * to a target's labels, so the tests can follow a pod of deploy/k8s/ or a
 * compose container through the scrape configuration: is it kept, at which
 * address and path, with which `service` label. The semantics are
 * Prometheus' own: source labels joined with `;`, the regex anchored at both
 * ends, `$1`/`${1}` in the replacement, no change when a replace does not
 * match.
 */

export interface RelabelConfig {
  readonly source_labels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly target_label?: string;
  readonly replacement?: string;
  readonly action?: 'replace' | 'keep' | 'drop';
}

/** The target's labels after relabelling, or undefined when it is dropped. */
export function relabel(
  labels: Readonly<Record<string, string>>,
  configs: readonly RelabelConfig[],
): Record<string, string> | undefined {
  const out = { ...labels };
  for (const config of configs) {
    const action = config.action ?? 'replace';
    const value = (config.source_labels ?? [])
      .map((l) => out[l] ?? '')
      .join(config.separator ?? ';');
    const regex = new RegExp(`^(?:${config.regex ?? '(.*)'})$`);
    const match = regex.exec(value);
    if (action === 'keep' && !match) return undefined;
    if (action === 'drop' && match) return undefined;
    if (action !== 'replace' || !match) continue;
    if (!config.target_label) throw new Error('replace needs a target_label');
    const replaced = (config.replacement ?? '$1').replace(
      /\$\{(\w+)\}|\$(\d+)/g,
      (_, braced, plain) => match[Number(braced ?? plain)] ?? '',
    );
    if (replaced === '') delete out[config.target_label];
    else out[config.target_label] = replaced;
  }
  return out;
}

/** A Kubernetes label or annotation name as Prometheus' pod discovery spells it in meta labels. */
export function metaLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}
