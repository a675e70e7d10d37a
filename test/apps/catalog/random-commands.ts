/**
 * A random mix of the six commands through the command API, valid and
 * rule-violating alike (unknown, deleted and foreign ids, entries with
 * assets, no-op updates), a few at a time. Seeded, so a failing run can be
 * repeated with the seed it prints.
 */
import { randomUUID } from 'node:crypto';
import type { Accepted, CatalogClient } from './catalog-host.ts';

/** mulberry32: small, fast, and good enough to pick commands. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomRun {
  /** Every 202 answer, in the order the API gave them. */
  readonly accepted: Accepted[];
  /** Command ids per type, to check that each of the six was sent. */
  readonly byType: Map<string, number>;
}

const TITLES = ['Sunrise', 'Harbour', 'Pine', 'Granite', 'Meadow'];
const TYPES = ['image/png', 'image/jpeg', 'video/mp4; codecs="avc1"'];

export async function sendRandomCommands(
  client: CatalogClient,
  options: { count: number; concurrency: number; seed: number },
): Promise<RandomRun> {
  const random = randomSource(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  // Ids handed out so far, live or not: stale picks are what produce rejections.
  const entries: string[] = [];
  const assets: string[] = [];
  const someEntry = () => (entries.length === 0 || random() < 0.05 ? randomUUID() : pick(entries));
  const someAsset = () => (assets.length === 0 || random() < 0.05 ? randomUUID() : pick(assets));
  const entryBody = () => ({
    title: `${pick(TITLES)} ${Math.floor(random() * 4)}`,
    src: `https://s3.aws.com/${Math.floor(random() * 4)}.png`,
    ...(random() < 0.5 ? { description: 'A description' } : {}),
  });
  const assetBody = () => ({
    ...entryBody(),
    entryId: someEntry(),
    ...(random() < 0.6 ? { contentType: pick(TYPES) } : {}),
  });

  const next = (): [string, string, unknown] => {
    const roll = random();
    if (roll < 0.2 || entries.length < 5) return ['POST', '/entries', entryBody()];
    if (roll < 0.35) return ['POST', `/entries/${someEntry()}`, entryBody()];
    if (roll < 0.43) return ['DELETE', `/entries/${someEntry()}`, undefined];
    if (roll < 0.63) return ['POST', '/assets', assetBody()];
    if (roll < 0.85) return ['POST', `/assets/${someAsset()}`, assetBody()];
    return ['DELETE', `/assets/${someAsset()}`, undefined];
  };

  const accepted: Accepted[] = [];
  const byType = new Map<string, number>();
  let sent = 0;
  const worker = async () => {
    while (sent < options.count) {
      sent++;
      const [method, path, body] = next();
      const answer = await client.request<Accepted>(method, path, body);
      if (answer.status !== 202) {
        throw new Error(`${method} ${path}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      accepted.push(answer.body);
      byType.set(answer.body.type, (byType.get(answer.body.type) ?? 0) + 1);
      if (answer.body.type === 'createEntry') entries.push(answer.body.entityId);
      if (answer.body.type === 'createAsset') assets.push(answer.body.entityId);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { accepted, byType };
}
