/**
 * Sections 1 and 2: durable publish through eventyard, one caller and many
 * concurrent callers, in both durability modes; then the same events with
 * raw better-sqlite3 batched inserts, and the ratios.
 */
import { type BenchContext, TARGET_RATE, TARGET_RAW_RATIO } from './bench-context.ts';
import { DURABILITIES, type Durability } from './durability.ts';
import { measureEmbeddedPublish } from './embedded-publish.ts';
import { ratio, type Throughput } from './measurement.ts';
import { measureRawPublish } from './raw-sqlite.ts';
import { newSection } from './report.ts';

/** `1-<mode>` for one caller (raw: batch of 1), `n-<mode>` for the concurrent callers. */
type PublishKey = `${1 | 'n'}-${Durability}`;

async function eventyardSection(ctx: BenchContext): Promise<Map<PublishKey, Throughput>> {
  const { sizes, events, warmup, dir } = ctx;
  const results = new Map<PublishKey, Throughput>();
  const section = newSection(
    '1. Durable publish, 1 KiB events: eventyard Broker on the embedded SQLite log',
  );
  for (const durability of DURABILITIES) {
    for (const callers of [1, sizes.callers]) {
      const seconds = sizes.seconds;
      const result = await measureEmbeddedPublish({
        dir,
        durability,
        callers,
        events,
        warmup,
        seconds,
      });
      results.set(`${callers === 1 ? 1 : 'n'}-${durability}`, result);
      section.throughputs.push(result);
    }
  }
  section.targets.push({
    name: `concurrent durable publish (${sizes.callers} callers, default)`,
    value: results.get('n-default')!.eventsPerSecond,
    atLeast: TARGET_RATE,
    unit: 'events/s',
  });
  ctx.emit(section);
  return results;
}

function rawSection(ctx: BenchContext, eventyard: Map<PublishKey, Throughput>): void {
  const { sizes, events, warmup, dir } = ctx;
  const n = sizes.callers;
  const section = newSection(
    '2. Same events, raw better-sqlite3 batched inserts (same table shape, WAL, synchronous NORMAL / FULL)',
  );
  const measure = (durability: Durability, batchSize: number, checkpoints = true) => {
    const result = measureRawPublish({
      dir,
      durability,
      batchSize,
      events,
      warmup,
      seconds: sizes.seconds,
      checkpoints,
    });
    section.throughputs.push(result);
    return result;
  };
  const raw = new Map<PublishKey, Throughput>();
  for (const durability of DURABILITIES) {
    raw.set(`1-${durability}`, measure(durability, 1));
    raw.set(`n-${durability}`, measure(durability, n));
  }
  const ceilings = new Map(DURABILITIES.map((d) => [d, measure(d, n, false)]));
  for (const d of DURABILITIES) {
    section.ratios.push(
      ratio(
        `eventyard/raw publish, one caller vs batch of 1, ${d}`,
        eventyard.get(`1-${d}`)!,
        raw.get(`1-${d}`)!,
      ),
      ratio(
        `eventyard/raw publish, ${n} callers vs batch of ${n}, ${d}`,
        eventyard.get(`n-${d}`)!,
        raw.get(`n-${d}`)!,
        TARGET_RAW_RATIO,
      ),
    );
  }
  for (const d of DURABILITIES) {
    section.ratios.push(
      ratio(
        `eventyard/raw-without-checkpoints publish, ${n} callers, ${d}`,
        eventyard.get(`n-${d}`)!,
        ceilings.get(d)!,
      ),
    );
  }
  section.notes.push(
    'raw: one JSON.stringify and INSERT per event, one transaction per batch, run synchronously (no event loop turn)',
    'raw checkpoints the WAL inside its COMMITs (SQLite default); eventyard runs them on a worker thread',
    '"no checkpoints" rows turn them off (the WAL grows without limit): a ceiling, not a usable setting',
  );
  ctx.emit(section);
}

/** Runs sections 1 and 2; returns eventyard's concurrent default-mode publish (for section 5). */
export async function publishSections(ctx: BenchContext): Promise<Throughput> {
  const eventyard = await eventyardSection(ctx);
  rawSection(ctx, eventyard);
  return eventyard.get('n-default')!;
}
