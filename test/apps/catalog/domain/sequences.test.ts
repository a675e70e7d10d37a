/**
 * Property-style: random command sequences over a few ids, folded with decide
 * and evolve, never reach an invalid state. The generator is seeded, so a
 * failure names the seed that reproduces it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CatalogEvent,
  COMMAND_TYPES,
  type Command,
  catalogEventSchema,
  type DecideContext,
  decide,
  type EntityKind,
  type EntityState,
  type EntryState,
  evolve,
  initialState,
  isLive,
  kindOf,
  parseCommand,
  stateOf,
} from '../../../../src/apps/catalog/domain/index.ts';

const ENTRY_IDS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
const ASSET_IDS = [
  'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
];

/** mulberry32: small, seedable, good enough to pick commands. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCommand(next: () => number): Command {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const type = pick(COMMAND_TYPES);
  const kind = kindOf({ type });
  const id = pick(kind === 'entry' ? ENTRY_IDS : ASSET_IDS);
  // Few distinct values, so updates that change nothing happen often.
  const title = pick(['A', 'B']);
  const src = 'https://example.com/x.png';
  const body = type.startsWith('delete')
    ? undefined
    : kind === 'entry'
      ? { title, src, ...(next() < 0.5 ? { description: 'd' } : {}) }
      : { title, src, entryId: pick(ENTRY_IDS) };
  const parsed = parseCommand({ type, body, params: { id }, meta: { user: 'u' } });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.command;
}

class World {
  readonly streams = new Map<string, { state: EntityState; events: CatalogEvent[] }>();

  stream(kind: EntityKind, id: string) {
    const key = `${kind}-${id}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = { state: initialState(kind), events: [] };
      this.streams.set(key, stream);
    }
    return stream;
  }

  /** What the validator would look up: here, exact, as no command races another. */
  contextFor(command: Command): DecideContext {
    const entryId =
      command.type === 'createAsset' || command.type === 'updateAsset'
        ? command.body.entryId
        : command.params.id;
    const liveAssets = ASSET_IDS.filter((id) => {
      const { state } = this.stream('asset', id);
      return isLive(state) && state.kind === 'asset' && state.fields?.entryId === entryId;
    }).length;
    return { entry: this.stream('entry', entryId).state as EntryState, liveAssets };
  }
}

function checkStep(before: EntityState, after: EntityState, emitted: readonly CatalogEvent[]) {
  assert.ok(emitted.length <= 1, 'one command, at most one event');
  assert.equal(after.version, before.version + emitted.length);
  if (before.deleted) assert.ok(after.deleted, 'deleted stays deleted');
  if (before.exists) assert.ok(after.exists, 'an id once taken stays taken');
  assert.equal(after.fields === null, !isLive(after), 'fields exist exactly while live');
  for (const event of emitted) {
    assert.equal(catalogEventSchema.safeParse(event).success, true, JSON.stringify(event));
  }
}

function checkWorld(world: World) {
  for (const [key, { state, events }] of world.streams) {
    assert.deepEqual(stateOf(state.kind, events), state, `${key} replays to its state`);
    events.forEach((event, i) => {
      assert.equal(event.version, i + 1);
      assert.equal(event.streamId, key);
    });
    if (state.kind === 'asset' && isLive(state)) {
      const entry = world.stream('entry', state.fields!.entryId).state;
      assert.ok(isLive(entry), `${key} names a live entry`);
    }
  }
}

test('random command sequences keep every stream valid', () => {
  let accepted = 0;
  let rejected = 0;
  for (let seed = 1; seed <= 300; seed += 1) {
    const next = random(seed);
    const world = new World();
    for (let step = 0; step < 40; step += 1) {
      const command = randomCommand(next);
      const stream = world.stream(kindOf(command), command.params.id);
      const context = world.contextFor(command);
      const decision = decide(command, stream.state, context);
      assert.deepEqual(decide(command, stream.state, context), decision, 'decide is deterministic');
      const emitted = decision.ok ? decision.events : [];
      if (decision.ok) accepted += 1;
      else rejected += 1;
      const before = stream.state;
      try {
        stream.state = emitted.reduce<EntityState>(evolve, stream.state);
        stream.events.push(...emitted);
        checkStep(before, stream.state, emitted);
      } catch (error) {
        throw new Error(`seed ${seed}, step ${step}, ${command.type}: ${String(error)}`);
      }
    }
    checkWorld(world);
  }
  // The generator must exercise both sides of the rules, or the property is vacuous.
  assert.ok(accepted > 1000 && rejected > 1000, `accepted ${accepted}, rejected ${rejected}`);
});

test('two writers decided on one version: the loser, re-decided on the real stream, follows it', () => {
  const id = ENTRY_IDS[0]!;
  const src = 'https://example.com/x.png';
  const meta = { user: 'u' };
  const first: CatalogEvent = {
    type: 'entryCreated',
    streamId: `entry-${id}`,
    version: 1,
    data: { id, title: 'A', src },
    metadata: meta,
  };
  const created = stateOf('entry', [first]);
  const update = (title: string): Command => ({
    type: 'updateEntry',
    body: { title, src },
    params: { id },
    meta,
  });
  const winner = decide(update('B'), created);
  const loser = decide(update('C'), created);
  assert.ok(winner.ok && loser.ok);
  assert.equal(loser.events[0]!.version, 2, 'stale: the store refuses it at version 2');
  const real = stateOf('entry', [first, ...winner.events]);
  const redecided = decide(update('C'), real);
  assert.ok(redecided.ok);
  assert.equal(redecided.events[0]!.version, 3);
  assert.deepEqual(decide(update('B'), real), { ok: true, events: [] }, 'a duplicate is a no-op');
  const create: Command = { type: 'createEntry', body: { title: 'A', src }, params: { id }, meta };
  assert.equal(decide(create, real).ok, false, 'a racing create loses to the real stream');
});
