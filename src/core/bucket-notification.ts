/**
 * Bucket notifications in MinIO's format, so a consumer written for MinIO's
 * Kafka target reads eventyard's unchanged. MinIO sends, per object event,
 * `{ EventName, Key: "<bucket>/<key>", Records: [record] }` where the
 * record is S3's event message (eventVersion 2.0, eventSource minio:s3) with
 * the object key query-escaped. Pure functions: the stores call them inside
 * the transaction that records the object.
 */
import { createEvent, type Envelope } from './envelope.ts';
import type { ObjectInfo } from './object-store.ts';

export type BucketEventName = 's3:ObjectCreated:Put' | 's3:ObjectRemoved:Delete';

/** One rule of a bucket's notification configuration (MinIO's queue/topic configuration). */
export interface NotificationRule {
  /** Topic the notifications go to. */
  readonly topic: string;
  /** Event names or wildcards: `s3:ObjectCreated:*`, `s3:ObjectRemoved:*`, `s3:*`. */
  readonly events: readonly string[];
  readonly prefix?: string;
  readonly suffix?: string;
  /** Echoed as `s3.configurationId`. Default `Config` (MinIO's). */
  readonly id?: string;
}

export interface BucketEventContext {
  /** Access key of the caller (userIdentity.principalId). */
  readonly principal?: string;
  readonly sourceIp?: string;
  readonly sourcePort?: string;
  readonly userAgent?: string;
  readonly requestId?: string;
  /** Endpoint the object was written through (x-minio-origin-endpoint). */
  readonly endpoint?: string;
  readonly region?: string;
  readonly time?: Date;
}

export interface MinioEventRecord {
  readonly eventVersion: '2.0';
  readonly eventSource: 'minio:s3';
  readonly awsRegion: string;
  readonly eventTime: string;
  readonly eventName: BucketEventName;
  readonly userIdentity: { readonly principalId: string };
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly responseElements: Readonly<Record<string, string>>;
  readonly s3: {
    readonly s3SchemaVersion: '1.0';
    readonly configurationId: string;
    readonly bucket: {
      readonly name: string;
      readonly ownerIdentity: { readonly principalId: string };
      readonly arn: string;
    };
    readonly object: {
      readonly key: string;
      readonly size?: number;
      readonly eTag?: string;
      readonly contentType?: string;
      readonly userMetadata?: Readonly<Record<string, string>>;
      readonly sequencer: string;
    };
  };
  readonly source: { readonly host: string; readonly port: string; readonly userAgent: string };
}

export interface MinioNotification {
  readonly EventName: BucketEventName;
  readonly Key: string;
  readonly Records: readonly [MinioEventRecord];
}

/** Go's url.QueryEscape, which MinIO applies to object keys in records. */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Whether a rule asks for this event on this key. */
export function ruleMatches(rule: NotificationRule, event: BucketEventName, key: string): boolean {
  if (rule.prefix && !key.startsWith(rule.prefix)) return false;
  if (rule.suffix && !key.endsWith(rule.suffix)) return false;
  return rule.events.some((pattern) => {
    if (pattern === event || pattern === 's3:*') return true;
    return pattern.endsWith(':*') && event.startsWith(pattern.slice(0, -1));
  });
}

/** MinIO's user metadata of an object: content-type plus X-Amz-Meta-* entries. */
function userMetadataOf(info: ObjectInfo): Record<string, string> {
  const out: Record<string, string> = { 'content-type': info.contentType };
  for (const [name, value] of Object.entries(info.userMetadata)) {
    out[`X-Amz-Meta-${name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase())}`] = value;
  }
  return out;
}

export function minioNotification(
  event: BucketEventName,
  info: ObjectInfo,
  rule: NotificationRule,
  context: BucketEventContext = {},
): MinioNotification {
  const time = context.time ?? new Date();
  const principal = context.principal ?? '';
  const created = event === 's3:ObjectCreated:Put';
  // MinIO's sequencer: the event time in nanoseconds, upper-case hex.
  const sequencer = (BigInt(time.getTime()) * 1_000_000n).toString(16).toUpperCase();
  const record: MinioEventRecord = {
    eventVersion: '2.0',
    eventSource: 'minio:s3',
    awsRegion: context.region ?? '',
    eventTime: time.toISOString(),
    eventName: event,
    userIdentity: { principalId: principal },
    requestParameters: {
      principalId: principal,
      region: context.region ?? '',
      sourceIPAddress: context.sourceIp ?? '',
    },
    responseElements: {
      'x-amz-request-id': context.requestId ?? sequencer,
      'x-minio-origin-endpoint': context.endpoint ?? '',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: rule.id ?? 'Config',
      bucket: {
        name: info.bucket,
        ownerIdentity: { principalId: principal },
        arn: `arn:aws:s3:::${info.bucket}`,
      },
      object: created
        ? {
            key: queryEscape(info.key),
            size: info.size,
            eTag: info.etag,
            contentType: info.contentType,
            userMetadata: userMetadataOf(info),
            sequencer,
          }
        : { key: queryEscape(info.key), sequencer },
    },
    source: {
      host: context.sourceIp ?? '',
      port: context.sourcePort ?? '',
      userAgent: context.userAgent ?? '',
    },
  };
  return { EventName: event, Key: `${info.bucket}/${info.key}`, Records: [record] };
}

/**
 * The events to publish for an object event under a bucket's rules: one per
 * matching rule, as CloudEvents (type `com.amazonaws.s3.<event>`, source the
 * bucket ARN, subject the key, as the CloudEvents AWS S3 adapter does) whose
 * data is MinIO's notification. Same-object events share a partition key, so
 * they stay in order.
 */
export function notificationEvents(
  rules: readonly NotificationRule[],
  event: BucketEventName,
  info: ObjectInfo,
  context: BucketEventContext = {},
): Array<{ topic: string; event: Envelope<MinioNotification> }> {
  const time = context.time ?? new Date();
  return rules
    .filter((rule) => ruleMatches(rule, event, info.key))
    .map((rule) => ({
      topic: rule.topic,
      event: createEvent({
        type: `com.amazonaws.s3.${event.slice(3)}`,
        source: `arn:aws:s3:::${info.bucket}`,
        subject: info.key,
        time,
        key: `${info.bucket}/${info.key}`,
        data: minioNotification(event, info, rule, { ...context, time }),
      }),
    }));
}
