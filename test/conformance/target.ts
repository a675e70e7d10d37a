import type { Broker } from '../../src/core/broker.ts';

/**
 * An engine under the broker contract. A target module exports `target`
 * of this type, so a child process (crash tests) can open the same engine.
 */
export interface BrokerTarget {
  readonly name: string;
  /** URL of the module that exports `target` (import.meta.url of that module). */
  readonly moduleUrl: string;
  /**
   * Opens a broker over the state named by `scope`: a folder for the
   * embedded engine, a namespace on server engines. Opening again with the
   * same scope (after a crash, say) sees the same topics and groups.
   */
  open(scope: string): Promise<Broker>;
  /** A skip reason when the engine is not reachable (and may be skipped); undefined to run. */
  skip?(): Promise<string | undefined>;
}
