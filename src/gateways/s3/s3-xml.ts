/**
 * The XML documents the S3 endpoint sends, in the 2006-03-01 namespace S3
 * uses. Built as strings from escaped values: the shapes are small and
 * fixed, so a serializer library would add more than it saves.
 */
import type { BucketInfo, ObjectInfo } from '../../core/object-store.ts';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The owner every bucket and object reports: the endpoint has one tenant. */
export const OWNER = { id: 'eventyard', displayName: 'eventyard' } as const;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${ENTITIES[c]};`);
}

const ENTITIES: Record<string, string> = {
  '&': 'amp',
  '<': 'lt',
  '>': 'gt',
  '"': 'quot',
  "'": 'apos',
};

/** `<name>escaped value</name>`, or nothing for an undefined value. */
export function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function document(root: string, body: string, namespaced = true): string {
  const open = namespaced ? `<${root} xmlns="${S3_NAMESPACE}">` : `<${root}>`;
  return `${DECLARATION}${open}${body}</${root}>`;
}

export interface ErrorDocument {
  readonly code: string;
  readonly message: string;
  readonly resource: string;
  readonly requestId: string;
  readonly fields?: Readonly<Record<string, string>>;
}

/** `<Error>` carries no namespace in S3's responses. */
export function errorXml(error: ErrorDocument): string {
  const fields = Object.entries(error.fields ?? {})
    .map(([name, value]) => element(name, value))
    .join('');
  return document(
    'Error',
    element('Code', error.code) +
      element('Message', error.message) +
      fields +
      element('Resource', error.resource) +
      element('RequestId', error.requestId),
    false,
  );
}

function ownerXml(): string {
  return `<Owner>${element('ID', OWNER.id)}${element('DisplayName', OWNER.displayName)}</Owner>`;
}

export function listBucketsXml(buckets: readonly BucketInfo[]): string {
  const items = buckets
    .map(
      (bucket) =>
        `<Bucket>${element('Name', bucket.name)}${element('CreationDate', bucket.createdAt.toISOString())}</Bucket>`,
    )
    .join('');
  return document('ListAllMyBucketsResult', `${ownerXml()}<Buckets>${items}</Buckets>`);
}

export function locationXml(region: string): string {
  // S3 reports us-east-1 as an empty constraint.
  return document('LocationConstraint', region === 'us-east-1' ? '' : escapeXml(region));
}

/** One `<Contents>` entry; `encodeKey` applies encoding-type=url. */
export function contentsXml(
  item: ObjectInfo,
  encodeKey: (key: string) => string,
  withOwner: boolean,
): string {
  return (
    '<Contents>' +
    element('Key', encodeKey(item.key)) +
    element('LastModified', item.lastModified.toISOString()) +
    element('ETag', `"${item.etag}"`) +
    element('Size', item.size) +
    (withOwner ? ownerXml() : '') +
    element('StorageClass', 'STANDARD') +
    '</Contents>'
  );
}

export function commonPrefixesXml(prefixes: readonly string[], encode: (text: string) => string) {
  return prefixes
    .map((prefix) => `<CommonPrefixes>${element('Prefix', encode(prefix))}</CommonPrefixes>`)
    .join('');
}
