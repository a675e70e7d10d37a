/**
 * Prometheus metrics of the broker, on a registry of the caller's (one per
 * host, so two hosts in one process, as in tests, keep separate counts).
 * Counters are fed by the broker's observer hooks; group lag is read from
 * the broker at each scrape, so it is exact whichever process consumes.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';
import type { GroupStats } from '../core/broker.ts';
import type { BrokerObserver } from '../core/observer.ts';

export interface BrokerMetricsOptions {
  /** Also register Node's process metrics (CPU, memory, event loop lag, GC). Default true. */
  readonly processMetrics?: boolean;
}

/** Handler durations from 1 ms to 30 s (the default policy timeout). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class BrokerMetrics implements BrokerObserver {
  readonly #published: Counter<'topic'>;
  readonly #consumed: Counter<'topic' | 'group'>;
  readonly #retries: Counter<'topic' | 'group'>;
  readonly #deadLetters: Counter<'topic' | 'group'>;
  readonly #duration: Histogram<'topic' | 'group' | 'outcome'>;
  #readGroups: (() => Promise<GroupStats[]>) | undefined;

  constructor(registry: Registry, options: BrokerMetricsOptions = {}) {
    const registers = [registry];
    this.#published = new Counter({
      name: 'eventyard_events_published_total',
      help: 'Events made durable on a topic',
      labelNames: ['topic'],
      registers,
    });
    this.#consumed = new Counter({
      name: 'eventyard_events_consumed_total',
      help: 'Events a group handled and acknowledged',
      labelNames: ['topic', 'group'],
      registers,
    });
    this.#retries = new Counter({
      name: 'eventyard_handler_retries_total',
      help: 'Failed handler tries that will be retried',
      labelNames: ['topic', 'group'],
      registers,
    });
    this.#deadLetters = new Counter({
      name: 'eventyard_dead_letters_total',
      help: 'Events a group gave up on and sent to the dead-letter topic',
      labelNames: ['topic', 'group'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'eventyard_handler_duration_seconds',
      help: 'Duration of one handler try',
      labelNames: ['topic', 'group', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#registerLagGauge(registry);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  }

  #registerLagGauge(registry: Registry): void {
    const readGroups = () => this.#readGroups?.() ?? Promise.resolve([]);
    new Gauge({
      name: 'eventyard_group_lag',
      help: 'Events on a topic that a group has not acknowledged yet',
      labelNames: ['topic', 'group'],
      registers: [registry],
      async collect() {
        this.reset();
        let groups: GroupStats[];
        try {
          groups = await readGroups();
        } catch {
          return; // A closing broker: report no lag rather than fail the whole scrape.
        }
        for (const g of groups) this.set({ topic: g.topic, group: g.group }, g.lag);
      },
    });
  }

  /** Where the lag gauge reads groups from; set once the broker is open. */
  watchLag(readGroups: () => Promise<GroupStats[]>): void {
    this.#readGroups = readGroups;
  }

  published(topic: string, count: number): void {
    this.#published.inc({ topic }, count);
  }

  tried(topic: string, group: string, ok: boolean, seconds: number): void {
    this.#duration.observe({ topic, group, outcome: ok ? 'ok' : 'error' }, seconds);
  }

  consumed(topic: string, group: string): void {
    this.#consumed.inc({ topic, group });
  }

  retried(topic: string, group: string): void {
    this.#retries.inc({ topic, group });
  }

  deadLettered(topic: string, group: string): void {
    this.#deadLetters.inc({ topic, group });
  }
}
