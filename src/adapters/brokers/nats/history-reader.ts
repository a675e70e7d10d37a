/**
 * A topic's history: an ordered consumer (ephemeral, no acks) over its
 * stream from the position asked for. Without `follow` it ends at the last
 * event stored when the read began.
 */
import {
  DeliverPolicy,
  type JetStreamClient,
  type OrderedConsumerOptions,
} from '@nats-io/jetstream';
import { adoptMessage } from '../../../core/foreign-message.ts';
import type { Position } from '../../../core/position.ts';
import type { ReadOptions, StoredEvent } from '../../../core/transport.ts';
import type { TopicNames } from './nats-names.ts';

export interface HistorySource {
  readonly js: JetStreamClient;
  /** The topic's names and the last sequence now; undefined when the topic has no stream. */
  readonly locate: (
    topic: string,
    create: boolean,
  ) => Promise<{ names: TopicNames; last: number } | undefined>;
}

export function startOf(position: Position): Partial<OrderedConsumerOptions> {
  if (position === 'earliest') return { deliver_policy: DeliverPolicy.All };
  if (position === 'latest') return { deliver_policy: DeliverPolicy.New };
  if ('offset' in position) {
    return {
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: Math.max(1, position.offset),
    };
  }
  return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: position.time.toISOString() };
}

export async function* readHistory(
  source: HistorySource,
  topic: string,
  options: ReadOptions,
): AsyncIterable<StoredEvent> {
  const follow = options.follow ?? false;
  const found = await source.locate(topic, follow);
  if (!found) return;
  const { names, last } = found;
  if (!follow && (last === 0 || options.from === 'latest')) return;
  if (
    !follow &&
    typeof options.from === 'object' &&
    'offset' in options.from &&
    options.from.offset > last
  )
    return;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return;
  const consumer = await source.js.consumers.get(names.stream, startOf(options.from));
  const messages = await consumer.consume({ max_messages: 256 });
  const abort = () => void messages.close();
  options.signal?.addEventListener('abort', abort, { once: true });
  let count = 0;
  try {
    if (options.signal?.aborted) return;
    // With nothing at or after a time, the consumer would wait for new events: stop at the end.
    if (!follow && (await consumer.info(true)).num_pending === 0) return;
    for await (const message of messages) {
      if (!follow && message.seq > last) break;
      const event = adoptMessage(message.data, {
        topic,
        messageId: String(message.seq),
        time: message.time,
      });
      yield { topic, offset: message.seq, event };
      if (++count >= limit || (!follow && message.seq >= last)) break;
      if (options.signal?.aborted) break;
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    await messages.close();
  }
}
