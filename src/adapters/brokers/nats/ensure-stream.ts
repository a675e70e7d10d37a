import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';

/**
 * Creates a stream of eventyard's own bookkeeping. One that another process
 * made meanwhile counts as made, with that process's settings (the first
 * one wins); any other failure is thrown.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { readonly name: string },
): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (error) {
    if (!(await jsm.streams.info(config.name).catch(() => undefined))) throw error;
  }
}
