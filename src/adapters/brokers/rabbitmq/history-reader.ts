/**
 * Reads a topic's history: a consumer on its stream from the position
 * asked for. AMQP never tells a stream consumer where the stream ends, so a
 * read that must stop at "now" first appends a marker and stops there:
 * everything whose publish resolved before the read lies below it.
 * Reading from a time attaches at the chunk of that second (RabbitMQ's
 * timestamp offsets have second resolution) and skips events published
 * before the exact millisecond.
 */
import type { Position } from '../../../core/position.ts';
import type { ReadOptions, StoredEvent } from '../../../core/transport.ts';
import type { RabbitMqConnection } from './rabbitmq-connection.ts';
import { StreamCursor, type StreamStart } from './stream-cursor.ts';
import type { StreamPublisher } from './stream-publisher.ts';

export interface HistoryDeps {
  readonly connection: RabbitMqConnection;
  readonly publisher: StreamPublisher;
  readonly onError: (error: Error) => void;
}

export async function streamExists(
  connection: RabbitMqConnection,
  stream: string,
): Promise<boolean> {
  try {
    await connection.withChannel((channel) => channel.checkQueue(stream));
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return false;
    throw error;
  }
}

export async function* readHistory(
  deps: HistoryDeps,
  topic: string,
  stream: string,
  options: ReadOptions,
): AsyncGenerator<StoredEvent> {
  const follow = options.follow ?? false;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0 || options.signal?.aborted) return;
  if (options.from === 'latest' && !follow) return;
  const end = follow ? undefined : await deps.publisher.marker(stream);
  const start = startOf(options.from);
  const fromOffset = typeof start === 'number' ? start : 0;
  const fromTime = typeof start === 'object' ? start.time : undefined;
  const cursor = await StreamCursor.open(deps.connection, stream, start, {
    prefetch: 500,
    onError: deps.onError,
  });
  try {
    let count = 0;
    for (;;) {
      const message = await cursor.next(options.signal);
      if (!message || (end !== undefined && message.offset >= end)) return;
      if (!message.isEvent || message.offset < fromOffset) continue;
      if (fromTime !== undefined && (message.publishedAt ?? fromTime) < fromTime) continue;
      yield { topic, offset: message.offset, event: message.event(topic) };
      if (++count >= limit) return;
    }
  } finally {
    await cursor.close();
  }
}

/** The first offset at or after `position` (the head when there is none). */
export async function offsetAt(
  deps: HistoryDeps,
  topic: string,
  stream: string,
  position: Position,
): Promise<number> {
  if (position === 'earliest') return 0;
  if (position !== 'latest' && 'offset' in position) return position.offset;
  if (position !== 'latest') {
    for await (const stored of readHistory(deps, topic, stream, { from: position, limit: 1 })) {
      return stored.offset;
    }
  }
  return (await deps.publisher.marker(stream)) + 1;
}

function startOf(from: Position): StreamStart {
  if (from === 'earliest') return 'first';
  if (from === 'latest') return 'next';
  if ('offset' in from) return from.offset;
  return { time: from.time.getTime() };
}
