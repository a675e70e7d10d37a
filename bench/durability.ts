/**
 * The two durability modes every publish measurement runs in, named the
 * same way on both sides of a comparison.
 */
export type Durability = 'default' | 'fsync';

export const DURABILITIES: readonly Durability[] = ['default', 'fsync'];

/** What a resolved publish survives in this mode. */
export function survives(mode: Durability): string {
  return mode === 'fsync' ? 'power loss' : 'kill -9';
}

/** SQLite's `synchronous` setting for the mode (WAL journal in both). */
export function synchronousOf(mode: Durability): 'NORMAL' | 'FULL' {
  return mode === 'fsync' ? 'FULL' : 'NORMAL';
}
