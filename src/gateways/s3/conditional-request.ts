/**
 * Conditional GetObject/HeadObject (If-Match, If-None-Match,
 * If-Modified-Since, If-Unmodified-Since), evaluated as RFC 9110 orders
 * them, which is also how S3 combines them: a failed If-Match or
 * If-Unmodified-Since is 412 PreconditionFailed, a matching If-None-Match
 * or an unchanged If-Modified-Since is 304.
 */
import type { ObjectInfo } from '../../core/object-store.ts';
import { S3Error } from './s3-error.ts';

export type ConditionOutcome = 'proceed' | 'not-modified';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export function evaluateConditions(headers: Headers, info: ObjectInfo): ConditionOutcome {
  const ifMatch = text(headers['if-match']);
  const ifUnmodifiedSince = time(headers['if-unmodified-since']);
  const modifiedAt = Math.floor(info.lastModified.getTime() / 1000) * 1000;
  if (ifMatch !== undefined) {
    if (!matchesEtag(ifMatch, info.etag)) throw preconditionFailed('If-Match');
  } else if (ifUnmodifiedSince !== undefined && modifiedAt > ifUnmodifiedSince) {
    throw preconditionFailed('If-Unmodified-Since');
  }
  const ifNoneMatch = text(headers['if-none-match']);
  const ifModifiedSince = time(headers['if-modified-since']);
  if (ifNoneMatch !== undefined) {
    if (matchesEtag(ifNoneMatch, info.etag)) return 'not-modified';
  } else if (ifModifiedSince !== undefined && modifiedAt <= ifModifiedSince) {
    return 'not-modified';
  }
  return 'proceed';
}

/** `*`, or a comma-separated list of (optionally weak, quoted) entity tags. */
function matchesEtag(list: string, etag: string): boolean {
  return list.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return tag === '*' || tag === etag;
  });
}

function text(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

function time(value: string | string[] | undefined): number | undefined {
  const header = text(value);
  if (header === undefined) return undefined;
  const parsed = Date.parse(header);
  // An unparsable date is ignored, as RFC 9110 asks.
  return Number.isNaN(parsed) ? undefined : parsed;
}

function preconditionFailed(condition: string): S3Error {
  return new S3Error(
    'PreconditionFailed',
    412,
    'At least one of the pre-conditions you specified did not hold',
    {
      Condition: condition,
    },
  );
}
