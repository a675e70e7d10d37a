/**
 * Commands of one entity that race: concurrent updates through the API each
 * get exactly one outcome and leave no gap in versions (optimistic
 * concurrency), and decisions taken on a stale version are decided again by
 * the persister, never lost or applied twice.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createEvent } from '../../../src/core/envelope.ts';
import { waitFor } from '../../support/wait.ts';
import type { Accepted, Outcome } from './catalog-host.ts';
import { catalogHostForTests, SEED_ENTRY } from './catalog-host.ts';

const catalog = catalogHostForTests();
const client = () => catalog().client;

async function createEntry(): Promise<string> {
  const outcome = await client().command('POST', '/entries', SEED_ENTRY);
  assert.equal(outcome.status, 'accepted', JSON.stringify(outcome.reason));
  return outcome.entityId;
}

test('concurrent updates of one entity each get one outcome; versions go 1..n without gaps', async () => {
  const id = await createEntry();
  const n = 24;
  const accepted = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      client().request<Accepted>('POST', `/entries/${id}`, {
        title: `Concurrent ${i}`,
        src: `https://s3.aws.com/${i}.png`,
      }),
    ),
  );
  const outcomes = await Promise.all(
    accepted.map(async (answer) => {
      assert.equal(answer.status, 202);
      return (
        await client().request<Outcome>(
          'GET',
          `${answer.body.location}?wait=visible&timeoutMs=20000`,
        )
      ).body;
    }),
  );
  for (const outcome of outcomes) assert.equal(outcome.status, 'accepted', JSON.stringify(outcome));
  const versions = outcomes.map((o) => o.version).sort((a, b) => a! - b!);
  assert.deepEqual(
    versions,
    Array.from({ length: n }, (_, i) => i + 2),
    'each update took its own version after the create',
  );
  const history = (await client().request('GET', `/entries/${id}/events`)).body.items;
  assert.deepEqual(
    history.map((e: { version: number }) => e.version),
    Array.from({ length: n + 1 }, (_, i) => i + 1),
  );
  // The read model shows the last event in the stream.
  const last = history.at(-1);
  const shown = (await client().request('GET', `/entries/${id}`)).body;
  assert.equal(shown.version, n + 1);
  assert.equal(shown.title, last.data.title);

  // Concurrent deletes: exactly one wins, the others learn it was deleted.
  const deletes = await Promise.all(
    Array.from({ length: 6 }, () => client().command('DELETE', `/entries/${id}`)),
  );
  const statuses = deletes.map((d) => (d.status === 'accepted' ? 'accepted' : d.reason?.code));
  assert.deepEqual(statuses.sort(), [
    'accepted',
    'deleted',
    'deleted',
    'deleted',
    'deleted',
    'deleted',
  ]);
  assert.equal(deletes.find((d) => d.status === 'accepted')?.version, n + 2);
});

/** A decision as the validator publishes it, taken when the stream was at `expectedVersion`. */
function decision(id: string, expectedVersion: number, command: Record<string, unknown>) {
  const commandId = randomUUID();
  const body = command.body as Record<string, string> | undefined;
  const event =
    command.type === 'deleteEntry'
      ? { type: 'entryDeleted', data: { id } }
      : { type: 'entryUpdated', data: { ...body, id } };
  return createEvent({
    id: randomUUID(),
    type: 'catalog.command.decided',
    source: 'test/validator',
    subject: `entry-${id}`,
    key: `entry-${id}`,
    data: {
      commandId,
      command: { ...command, params: { id }, meta: { user: 1 } },
      expectedVersion,
      events: [
        { ...event, streamId: `entry-${id}`, version: expectedVersion + 1, metadata: { user: 1 } },
      ],
    },
  });
}

test('decisions taken on a stale version are decided again by the persister, never lost', async () => {
  // The validator serializes one entity's commands, so stale decisions are
  // made here, as racing validators on a server broker would make them.
  const id = await createEntry();
  const stale = [
    decision(id, 1, { type: 'updateEntry', body: { title: 'A', src: 'https://s3.aws.com/a.png' } }),
    decision(id, 1, { type: 'updateEntry', body: { title: 'B', src: 'https://s3.aws.com/b.png' } }),
    decision(id, 1, { type: 'updateEntry', body: { title: 'C', src: 'https://s3.aws.com/c.png' } }),
    decision(id, 1, { type: 'deleteEntry' }),
    decision(id, 1, { type: 'updateEntry', body: { title: 'D', src: 'https://s3.aws.com/d.png' } }),
  ];
  await catalog().host.engines.broker.publish('catalog-decisions', stale);
  const outcomes = await Promise.all(
    stale.map(async (event) => {
      const { commandId } = event.data as { commandId: string };
      return waitFor(`the outcome of ${commandId}`, async () => {
        const answer = await client().request<Outcome>('GET', `/commands/${commandId}`);
        return answer.status === 200 && answer.body.status !== 'pending' ? answer.body : undefined;
      });
    }),
  );
  assert.deepEqual(
    outcomes.map((o) => (o.status === 'accepted' ? o.version : o.reason?.code)),
    [2, 3, 4, 5, 'deleted'],
  );
  const history = (await client().request('GET', `/entries/${id}/events`)).body.items;
  assert.deepEqual(
    history.map((e: { type: string; version: number; data: { title?: string } }) => [
      e.version,
      e.type,
      e.data.title,
    ]),
    [
      [1, 'entryCreated', SEED_ENTRY.title],
      [2, 'entryUpdated', 'A'],
      [3, 'entryUpdated', 'B'],
      [4, 'entryUpdated', 'C'],
      [5, 'entryDeleted', undefined],
    ],
  );
  await waitFor('the delete to be visible', async () => {
    return (await client().request('GET', `/entries/${id}`)).status === 404;
  });
});
