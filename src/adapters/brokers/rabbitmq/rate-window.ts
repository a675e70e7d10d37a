/** Events per second over the last minute, counted in one-second buckets (this process only). */
export class RateWindow {
  readonly #buckets = new Map<string, number[]>();

  add(name: string, count: number, now = Date.now()): void {
    const second = Math.floor(now / 1000);
    let buckets = this.#buckets.get(name);
    if (buckets === undefined) {
      buckets = [];
      this.#buckets.set(name, buckets);
    }
    if (buckets.at(-2) === second) buckets[buckets.length - 1]! += count;
    else buckets.push(second, count);
  }

  rate(name: string, now = Date.now()): number {
    const buckets = this.#buckets.get(name);
    if (!buckets) return 0;
    const since = Math.floor(now / 1000) - 60;
    let drop = 0;
    while (drop < buckets.length && buckets[drop]! < since) drop += 2;
    if (drop > 0) buckets.splice(0, drop);
    let total = 0;
    for (let i = 1; i < buckets.length; i += 2) total += buckets[i]!;
    return total / 60;
  }
}
