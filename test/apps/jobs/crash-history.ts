/**
 * What a jobs deployment published and still has to handle, read the way an
 * operator would: through the events API of the host.
 */
import type { StoredEvent } from '../../../src/core/transport.ts';

/** Every event of `topic` on the host at `url`, page after page, from the earliest. */
export async function topicHistory(url: string, topic: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let from: number | string = 'earliest';
  for (;;) {
    const response = await fetch(`${url}/api/topics/${topic}/events?from=${from}&limit=1000`);
    if (!response.ok) throw new Error(`history of ${topic}: HTTP ${response.status}`);
    const page = (await response.json()) as { events: StoredEvent[]; next: number | null };
    if (page.events.length === 0) return events;
    events.push(...page.events);
    from = page.next!;
  }
}

/** How many events of `events` name each job (their `data.jobId`). */
export function countPerJob(events: readonly StoredEvent[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { event } of events) {
    const { jobId } = event.data as { jobId: string };
    counts.set(jobId, (counts.get(jobId) ?? 0) + 1);
  }
  return counts;
}

/** Events of `topic` its groups have not acknowledged yet, summed over the groups. */
export async function backlog(url: string, topic: string): Promise<number> {
  const response = await fetch(`${url}/api/groups?topic=${topic}`);
  if (!response.ok) throw new Error(`groups of ${topic}: HTTP ${response.status}`);
  const { groups } = (await response.json()) as { groups: { lag: number }[] };
  return groups.reduce((sum, group) => sum + group.lag, 0);
}
