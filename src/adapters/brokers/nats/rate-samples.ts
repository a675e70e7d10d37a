/**
 * Rates over the last minute from counters read now and then (a stream's
 * last sequence, a group's acknowledged count): JetStream keeps no rates,
 * so this process remembers what it saw. A rate is 0 until two samples.
 */
const WINDOW_MS = 60_000;

export class RateSamples {
  readonly #samples = new Map<string, Array<{ at: number; value: number }>>();

  /** Records `value` for `key` now; returns its growth per second over the window. */
  rate(key: string, value: number, now = Date.now()): number {
    const list = this.#samples.get(key) ?? [];
    list.push({ at: now, value });
    while (list.length > 2 && list[1]!.at <= now - WINDOW_MS) list.shift();
    this.#samples.set(key, list);
    const first = list[0]!;
    const seconds = (now - first.at) / 1000;
    return seconds > 0 ? Math.max(0, (value - first.value) / seconds) : 0;
  }
}
