/**
 * `eventyard buckets`: the object store's buckets and their notification
 * rules, what MinIO's `mc mb` and `mc event add|ls|rm` do. Rules only apply
 * where eventyard sends the notifications itself (the embedded store); on
 * MinIO, configure them there.
 */
import type { Command } from 'commander';
import type { NotificationRule } from '../../core/bucket-notification.ts';
import { UnsupportedError, ValidationError } from '../../core/errors.ts';
import {
  isNotifying,
  type NotifyingObjectStore,
  type ObjectStore,
} from '../../core/object-store.ts';
import { withEngines } from '../engine-session.ts';
import { examples } from '../help-text.ts';
import { type Column, writeRows } from '../output.ts';

const RULE_COLUMNS: readonly Column<NotificationRule & { bucket: string }>[] = [
  { header: 'BUCKET', value: (r) => r.bucket },
  { header: 'ID', value: (r) => r.id ?? '' },
  { header: 'TOPIC', value: (r) => r.topic },
  { header: 'EVENTS', value: (r) => r.events.join(',') },
  { header: 'PREFIX', value: (r) => r.prefix ?? '' },
  { header: 'SUFFIX', value: (r) => r.suffix ?? '' },
];

function notifying(objects: ObjectStore): NotifyingObjectStore {
  if (!isNotifying(objects)) {
    throw new UnsupportedError(
      `the ${objects.capabilities.engine} object store sends no notifications itself: configure them on the engine (MinIO: mc event add)`,
    );
  }
  return objects;
}

export function bucketsCommand(program: Command): void {
  const buckets = program
    .command('buckets')
    .summary('list buckets, create one, manage bucket notifications')
    .description('Buckets of the object store and their notification rules (as MinIO has them)')
    .option('--json', 'one JSON object per bucket and line instead of a table')
    .addHelpText(
      'after',
      examples(
        'eventyard buckets',
        'eventyard buckets create uploads',
        'eventyard buckets notify uploads --topic uploads-event --suffix .jpg',
        'eventyard buckets rules uploads',
        'eventyard buckets unnotify uploads --id uploads-event',
      ),
    )
    .action(async (flags: { json?: boolean }) => {
      const list = await withEngines(({ objects }) => objects.listBuckets());
      if (list.length === 0 && !flags.json) process.stderr.write('No buckets yet.\n');
      await writeRows(
        list.map((b) => ({ name: b.name, createdAt: b.createdAt.toISOString() })),
        [
          { header: 'BUCKET', value: (b) => b.name },
          { header: 'CREATED', value: (b) => b.createdAt },
        ],
        flags.json === true,
      );
    });

  buckets
    .command('create <bucket>')
    .description('create a bucket (nothing happens if it exists)')
    .action(async (bucket: string) => {
      await withEngines(({ objects }) => objects.ensureBucket(bucket));
    });

  buckets
    .command('rules <bucket>')
    .description("list a bucket's notification rules")
    .option('--json', 'one JSON object per rule and line')
    .action(async (bucket: string, flags: { json?: boolean }) => {
      const rules = await withEngines(({ objects }) =>
        notifying(objects).notificationRules(bucket),
      );
      if (rules.length === 0 && !flags.json) process.stderr.write(`No rules on ${bucket}.\n`);
      await writeRows(
        rules.map((rule) => ({ ...rule, bucket })),
        RULE_COLUMNS,
        flags.json === true,
      );
    });

  buckets
    .command('notify <bucket>')
    .description('send notifications of matching object events to a topic (MinIO format)')
    .requiredOption('--topic <topic>', 'topic the notifications go to')
    .option('--events <names>', 'comma-separated event names or wildcards', 's3:ObjectCreated:*')
    .option('--prefix <prefix>', 'only keys starting with this')
    .option('--suffix <suffix>', 'only keys ending with this')
    .option('--id <id>', 'name of the rule (default: the topic); a rule with this id is replaced')
    .action(
      async (
        bucket: string,
        flags: { topic: string; events: string; prefix?: string; suffix?: string; id?: string },
      ) => {
        const events = flags.events
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
        if (events.length === 0)
          throw new ValidationError('--events names no event', { path: 'events' });
        const rule: NotificationRule = {
          id: flags.id ?? flags.topic,
          topic: flags.topic,
          events,
          ...(flags.prefix ? { prefix: flags.prefix } : {}),
          ...(flags.suffix ? { suffix: flags.suffix } : {}),
        };
        await withEngines(async ({ objects }) => {
          const store = notifying(objects);
          const rules = await store.notificationRules(bucket);
          await store.setNotificationRules(bucket, [
            ...rules.filter((r) => r.id !== rule.id),
            rule,
          ]);
        });
        process.stdout.write(`${JSON.stringify({ bucket, ...rule })}\n`);
      },
    );

  buckets
    .command('unnotify <bucket>')
    .description('remove a notification rule')
    .requiredOption('--id <id>', 'name of the rule (see `eventyard buckets rules <bucket>`)')
    .action(async (bucket: string, flags: { id: string }) => {
      const removed = await withEngines(async ({ objects }) => {
        const store = notifying(objects);
        const rules = await store.notificationRules(bucket);
        const kept = rules.filter((rule) => rule.id !== flags.id);
        if (kept.length !== rules.length) await store.setNotificationRules(bucket, kept);
        return rules.length - kept.length;
      });
      if (removed === 0) {
        throw new ValidationError(`bucket ${bucket} has no rule '${flags.id}'`, { path: 'id' });
      }
    });
}
