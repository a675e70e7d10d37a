/**
 * What every measurement works on: 1 KiB CloudEvents envelopes, made once
 * with `createEvent` so both sides of a comparison carry the same events,
 * and the sizes of a default and a `--quick` run.
 */
import { createEvent, type Envelope } from '../src/core/envelope.ts';

/** Target size of an event's serialized `data`, bytes. */
export const DATA_BYTES = 1024;

export interface OrderData {
  readonly index: number;
  readonly orderId: string;
  readonly customer: string;
  readonly amountCents: number;
  readonly currency: string;
  /** Send time (performance.now()) in the latency measurement, else 0. */
  readonly sentAt: number;
  readonly note: string;
}

// The note pads `data` to DATA_BYTES; computed once from an event of the same shape.
const NOTE = 'x'.repeat(DATA_BYTES - JSON.stringify(orderData(999_999, 0, '')).length);

function orderData(index: number, sentAt: number, note: string): OrderData {
  return {
    index,
    orderId: `order-${String(index).padStart(8, '0')}`,
    customer: `customer-${index % 1000}`,
    amountCents: 1000 + (index % 9000),
    currency: 'EUR',
    sentAt,
    note,
  };
}

/** One 1 KiB event (data of about DATA_BYTES bytes of JSON). */
export function benchEvent(index: number, sentAt = 0): Envelope<OrderData> {
  return createEvent({
    type: 'bench.order.placed',
    source: 'eventyard-bench',
    data: orderData(index, sentAt, NOTE),
  });
}

/** `count` events with indexes from `first`. */
export function benchEvents(count: number, first = 0): Envelope<OrderData>[] {
  const events = new Array<Envelope<OrderData>>(count);
  for (let i = 0; i < count; i++) events[i] = benchEvent(first + i);
  return events;
}

export interface BenchSizes {
  /** Events for a concurrent publish run (the cap; `seconds` may end it sooner). */
  readonly publishEvents: number;
  /** Concurrent callers, and the raw baseline's batch size. */
  readonly callers: number;
  /** Time cap of one publish measurement, seconds. */
  readonly seconds: number;
  /** Events per warm-up. */
  readonly warmupEvents: number;
  /** Events pre-filled for the consume measurement. */
  readonly consumeEvents: number;
  /** Rows per read of the raw consume baseline. */
  readonly readBatch: number;
  /** Latency measurement: publish rate, events/s, and how long, seconds. */
  readonly latencyRate: number;
  readonly latencySeconds: number;
}

export const DEFAULT_SIZES: BenchSizes = {
  publishEvents: 300_000,
  callers: 256,
  seconds: 4,
  warmupEvents: 5_000,
  consumeEvents: 300_000,
  readBatch: 512,
  latencyRate: 2_000,
  latencySeconds: 4,
};

export const QUICK_SIZES: BenchSizes = {
  publishEvents: 3_000,
  callers: 32,
  seconds: 0.3,
  warmupEvents: 200,
  consumeEvents: 3_000,
  readBatch: 512,
  latencyRate: 1_000,
  latencySeconds: 0.5,
};
