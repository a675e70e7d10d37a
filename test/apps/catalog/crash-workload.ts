/**
 * The commands the catalog crash test sends: a random mix over the entities
 * the clients know of, with rule violations whose outcome no race can change,
 * and a record of every command answered 202.
 */
import { randomUUID } from 'node:crypto';
import type { CommandType } from '../../../src/apps/catalog/domain/index.ts';

type Body = Readonly<Record<string, string>>;

/** One request to the command API, and what it is sent for. */
export interface PlannedCommand {
  readonly type: CommandType;
  readonly method: 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: Body;
  /** The outcome the rules give whatever the races (a fresh id is never taken, an unknown one never found). */
  readonly expect?: 'accepted' | `rejected: ${string}`;
  /** The schema refuses it: answered 400, never a command. */
  readonly invalid?: true;
}

/** A command answered 202. */
export interface SentCommand {
  readonly commandId: string;
  readonly type: CommandType;
  readonly entityId: string;
  readonly body?: Body;
  readonly expect?: PlannedCommand['expect'];
}

const pick = <T>(items: readonly T[]): T | undefined =>
  items[Math.floor(Math.random() * items.length)];

/**
 * What the clients know: entries and assets whose create was answered 202.
 * Shared by all clients across all rounds, so commands on one entity race.
 */
export class CatalogWorkload {
  readonly sent: SentCommand[] = [];
  readonly #entries: string[] = [];
  readonly #assets: { id: string; entryId: string }[] = [];
  /** The last body sent per entity, so an update can resend it and change nothing. */
  readonly #bodies = new Map<string, Body>();
  #n = 0;

  next(): PlannedCommand {
    const n = this.#n++;
    const entry = pick(this.#entries);
    const asset = pick(this.#assets);
    const roll = Math.random();
    const entryBody = { title: `entry ${n}`, src: `https://example.com/e/${n}` };
    if (roll < 0.22 || !entry) {
      return {
        type: 'createEntry',
        method: 'POST',
        path: '/entries',
        body: entryBody,
        expect: 'accepted',
      };
    }
    if (roll < 0.42) {
      return this.#update('updateEntry', `/entries/${entry}`, entryBody, entry);
    }
    if (roll < 0.62) {
      const body = { title: `asset ${n}`, src: `https://example.com/a/${n}`, entryId: entry };
      return { type: 'createAsset', method: 'POST', path: '/assets', body };
    }
    if (roll < 0.7 && asset) {
      const body = {
        title: `asset ${n}`,
        src: `https://example.com/a/${n}`,
        entryId: asset.entryId,
      };
      return this.#update('updateAsset', `/assets/${asset.id}`, body, asset.id);
    }
    if (roll < 0.78 && asset) {
      return { type: 'deleteAsset', method: 'DELETE', path: `/assets/${asset.id}` };
    }
    if (roll < 0.84) return { type: 'deleteEntry', method: 'DELETE', path: `/entries/${entry}` };
    if (roll < 0.9) {
      return {
        type: 'updateEntry',
        method: 'POST',
        path: `/entries/${randomUUID()}`,
        body: entryBody,
        expect: 'rejected: not_found',
      };
    }
    if (roll < 0.96) {
      const body = { title: `orphan ${n}`, src: 'https://example.com/o', entryId: randomUUID() };
      const expect = 'rejected: entry_not_found';
      return { type: 'createAsset', method: 'POST', path: '/assets', body, expect };
    }
    const body = { title: `bad ${n}`, src: 'javascript:alert(1)' };
    return { type: 'createEntry', method: 'POST', path: '/entries', body, invalid: true };
  }

  /** One update in four resends the entity's last body: accepted with no event, unless a race intervenes. */
  #update(type: CommandType, path: string, fresh: Body, id: string): PlannedCommand {
    const body = Math.random() < 0.25 ? (this.#bodies.get(id) ?? fresh) : fresh;
    return { type, method: 'POST', path, body };
  }

  /** Records a command answered 202, learning the entity it creates. */
  accepted(planned: PlannedCommand, commandId: string, entityId: string): void {
    this.sent.push({
      commandId,
      type: planned.type,
      entityId,
      ...(planned.body ? { body: planned.body } : {}),
      ...(planned.expect ? { expect: planned.expect } : {}),
    });
    if (planned.expect?.startsWith('rejected')) return;
    if (planned.body) this.#bodies.set(entityId, planned.body);
    if (planned.type === 'createEntry') this.#entries.push(entityId);
    if (planned.type === 'createAsset') {
      this.#assets.push({ id: entityId, entryId: planned.body!.entryId! });
    }
  }
}
