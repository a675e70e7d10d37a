/** How `dlq list` and `dlq replay` show a dead letter. */
import type { DeadLetter } from '../../core/broker.ts';
import { type Column, shorten } from '../output.ts';

export const DEAD_LETTER_COLUMNS: readonly Column<DeadLetter>[] = [
  { header: 'DLQ-OFFSET', value: (d) => d.offset },
  { header: 'GROUP', value: (d) => d.group },
  { header: 'ATTEMPTS', value: (d) => d.attempts },
  { header: 'AT', value: (d) => d.deadLetteredAt },
  { header: 'ID', value: (d) => d.event.id },
  { header: 'TYPE', value: (d) => d.event.type },
  { header: 'REASON', value: (d) => shorten(d.reason, 100) },
];
