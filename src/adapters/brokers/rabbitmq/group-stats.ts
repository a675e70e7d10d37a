/**
 * A group's position and lag, measured from its registers and its topic's
 * stream: the position is the lowest committed position of its partitions;
 * the lag counts the events, up to a marker appended now, each at or past
 * its own partition's position. Past `lagScanLimit` messages the rest is
 * counted as offset distance.
 */
import type { GroupInfo } from '../../../core/transport.ts';
import type { GroupRegisters } from './group-registers.ts';
import type { HistoryDeps } from './history-reader.ts';
import type { RabbitMqNames } from './rabbitmq-names.ts';
import { StreamCursor } from './stream-cursor.ts';

export interface GroupStatsDeps extends HistoryDeps {
  readonly names: RabbitMqNames;
  readonly registers: GroupRegisters;
  readonly partitions: number;
  readonly lagScanLimit: number;
}

export async function groupInfo(
  deps: GroupStatsDeps,
  topic: string,
  group: string,
): Promise<Omit<GroupInfo, 'consumeRate' | 'active'>> {
  const records = await Promise.all(
    Array.from({ length: deps.partitions }, (_, p) =>
      deps.registers.load(deps.names.register(topic, group, p)),
    ),
  );
  const positions = records.map((record) => record?.position ?? 0);
  const position = Math.min(...positions);
  const stream = deps.names.topic(topic);
  const end = await deps.publisher.marker(stream);
  let lag = 0;
  if (position < end) {
    const cursor = await StreamCursor.open(deps.connection, stream, position, {
      prefetch: 1_000,
      onError: deps.onError,
    });
    try {
      for (let scanned = 0; ; scanned++) {
        const message = await cursor.next();
        if (!message || message.offset >= end) break;
        if (scanned >= deps.lagScanLimit) {
          lag += end - message.offset;
          break;
        }
        if (!message.isEvent) continue;
        if (message.offset >= positions[message.partition(topic, deps.partitions)]!) lag++;
      }
    } finally {
      await cursor.close();
    }
  }
  return { topic, group, position, lag };
}
