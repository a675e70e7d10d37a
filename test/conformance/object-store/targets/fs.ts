import { join } from 'node:path';
import { SqliteDatabase } from '../../../../src/adapters/db/sqlite/sqlite-database.ts';
import { FsObjectStore } from '../../../../src/adapters/storage/fs/fs-object-store.ts';
import type { ObjectStoreTarget } from '../target.ts';

/** The embedded store over a database of its own, which its close also closes. */
class SelfContainedFsObjectStore extends FsObjectStore {
  readonly #database: SqliteDatabase;

  constructor(scope: string, maxObjectBytes: number | undefined) {
    const database = new SqliteDatabase({ path: join(scope, 'eventyard.db') });
    super({ root: join(scope, 'objects'), database, maxObjectBytes });
    this.#database = database;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#database.close();
  }
}

export const target: ObjectStoreTarget = {
  name: 'fs',
  moduleUrl: import.meta.url,
  async open(scope, options = {}) {
    return new SelfContainedFsObjectStore(scope, options.maxObjectBytes);
  },
};
