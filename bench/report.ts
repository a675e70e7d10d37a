/**
 * The bench's output: sections of measurements, ratios and targets, printed
 * as a readable table or as one JSON document (`--json`).
 */
import type { Latency, Ratio, Target, Throughput } from './measurement.ts';

export interface Section {
  readonly title: string;
  readonly throughputs: Throughput[];
  readonly latencies: Latency[];
  readonly ratios: Ratio[];
  readonly targets: Target[];
  readonly notes: string[];
  /** Why the section did not run (an engine not reachable). */
  skipped?: string;
}

export interface BenchReport {
  readonly command: string;
  readonly machine: {
    node: string;
    platform: string;
    arch: string;
    cpus: number;
    cpuModel: string;
    /** 1-minute load average when the run started: other work on the machine skews figures. */
    loadAverage: number;
  };
  readonly quick: boolean;
  readonly sizes: unknown;
  readonly sections: Section[];
}

export function newSection(title: string): Section {
  return { title, throughputs: [], latencies: [], ratios: [], targets: [], notes: [] };
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = (digits: number) =>
  new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function verdict(value: number, atLeast: number): string {
  return value >= atLeast ? 'PASS' : 'FAIL';
}

function table(header: readonly string[], rows: readonly string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // First column left-aligned (names), the figures right-aligned.
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

export function renderSection(section: Section): string {
  const out = [`== ${section.title} ==`];
  if (section.skipped !== undefined) {
    out.push(`SKIP ${section.skipped}`);
    return out.join('\n');
  }
  if (section.throughputs.length > 0) {
    out.push(
      ...table(
        ['measurement', 'events', 'seconds', 'events/s'],
        section.throughputs.map((t) => [
          t.name,
          integer.format(t.events),
          decimal(2).format(t.seconds),
          integer.format(Math.round(t.eventsPerSecond)),
        ]),
      ),
    );
  }
  if (section.latencies.length > 0) {
    out.push(
      ...table(
        ['measurement', 'events', 'p50 ms', 'p99 ms', 'max ms'],
        section.latencies.map((l) => [
          l.name,
          integer.format(l.events),
          decimal(2).format(l.p50Ms),
          decimal(2).format(l.p99Ms),
          decimal(2).format(l.maxMs),
        ]),
      ),
    );
    for (const l of section.latencies) {
      out.push(
        `latency p50 ${decimal(2).format(l.p50Ms)} ms, p99 ${decimal(2).format(l.p99Ms)} ms`,
      );
    }
  }
  for (const r of section.ratios) {
    const target =
      r.atLeast === undefined ? '' : `  (target >= ${r.atLeast}x: ${verdict(r.value, r.atLeast)})`;
    out.push(`ratio ${r.name}: ${decimal(2).format(r.value)}x${target}`);
  }
  for (const t of section.targets) {
    out.push(
      `target ${t.name} >= ${integer.format(t.atLeast)} ${t.unit}: ${verdict(t.value, t.atLeast)} (${integer.format(Math.round(t.value))})`,
    );
  }
  for (const note of section.notes) out.push(`note: ${note}`);
  return out.join('\n');
}

export function renderHeader(report: BenchReport): string {
  const m = report.machine;
  return [
    `eventyard bench${report.quick ? ' (--quick: tiny sizes, figures not meaningful)' : ''}`,
    `command: ${report.command}`,
    `machine: node ${m.node}, ${m.platform} ${m.arch}, ${m.cpus} CPUs (${m.cpuModel}), load average ${decimal(2).format(m.loadAverage)} at start`,
  ].join('\n');
}

export function renderJson(report: BenchReport): string {
  return JSON.stringify(report, null, 2);
}
