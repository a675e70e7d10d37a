/**
 * Which bucket and key a request addresses. Path style: `/bucket/key`.
 * Virtual-host style: `Host: bucket.<domain>` with `/key`, for each
 * configured domain (default `localhost`, since `*.localhost` resolves to
 * the loopback address in browsers, curl and systemd-resolved). A Host that
 * is an IP address or a domain itself means path style. The key is
 * percent-decoded exactly once, so `%2F` and `/` name the same key and
 * `%252F` names a key containing `%2F`.
 */
import { uriDecode } from './sigv4/canonical-request.ts';

export interface S3Address {
  readonly bucket?: string;
  readonly key?: string;
  readonly style: 'path' | 'virtual-host';
  /** Path as sent (what the signature covers). */
  readonly rawPath: string;
  readonly rawQuery: string;
}

export function s3AddressOf(
  rawUrl: string,
  host: string | undefined,
  domains: readonly string[],
): S3Address {
  const target = rawUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') || '/';
  const mark = target.indexOf('?');
  const rawPath = mark < 0 ? target : target.slice(0, mark);
  const rawQuery = mark < 0 ? '' : target.slice(mark + 1);
  const hostBucket = bucketOfHost(host, domains);
  if (hostBucket !== undefined) {
    const key = rawPath.length > 1 ? uriDecode(rawPath.slice(1)) : undefined;
    return { bucket: hostBucket, key, style: 'virtual-host', rawPath, rawQuery };
  }
  const rest = rawPath.slice(1);
  if (rest === '') return { style: 'path', rawPath, rawQuery };
  const slash = rest.indexOf('/');
  const bucket = uriDecode(slash < 0 ? rest : rest.slice(0, slash));
  const rawKey = slash < 0 ? '' : rest.slice(slash + 1);
  const key = rawKey === '' ? undefined : uriDecode(rawKey);
  return { bucket, key, style: 'path', rawPath, rawQuery };
}

function bucketOfHost(host: string | undefined, domains: readonly string[]): string | undefined {
  if (!host) return undefined;
  const name = host.replace(/:\d+$/, '').replace(/\.$/, '').toLowerCase();
  for (const domain of domains) {
    const suffix = `.${domain.toLowerCase()}`;
    if (name.endsWith(suffix) && name.length > suffix.length) {
      return name.slice(0, -suffix.length);
    }
  }
  return undefined;
}
