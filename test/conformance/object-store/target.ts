import type { ObjectStore } from '../../../src/core/object-store.ts';

/** Options a suite opens a store with, where a test needs something other than the defaults. */
export interface ObjectStoreTargetOptions {
  /** The store's size limit (capabilities.maxObjectBytes). Default the engine's own. */
  readonly maxObjectBytes?: number;
}

/**
 * An object store under the contract. A target module exports `target` of
 * this type, so a child process can open the same store.
 */
export interface ObjectStoreTarget {
  readonly name: string;
  /** URL of the module that exports `target` (import.meta.url of that module). */
  readonly moduleUrl: string;
  /**
   * Opens a store over the state named by `scope`: a folder for the
   * embedded store, a namespace or server on others. Opening again with the
   * same scope sees the same buckets and objects. Its close releases
   * everything it opened.
   */
  open(scope: string, options?: ObjectStoreTargetOptions): Promise<ObjectStore>;
  /** A skip reason when the engine is not reachable (and may be skipped); undefined to run. */
  skip?(): Promise<string | undefined>;
  /**
   * Known bugs of the server under test (a test double such as s3rver), not
   * of the adapter: each skips the group it breaks, with the reason shown.
   * The adapter must pass those groups against a faithful server.
   */
  readonly serverDeviations?: {
    readonly names?: string;
    readonly limits?: string;
  };
}
