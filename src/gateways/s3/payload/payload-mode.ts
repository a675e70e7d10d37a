/**
 * What `x-amz-content-sha256` says about the body: its hex SHA-256, no
 * hash at all, or one of the aws-chunked streaming forms.
 */
import { notImplemented, S3Error } from '../s3-error.ts';

export type PayloadMode =
  | { readonly kind: 'sha256'; readonly hex: string }
  | { readonly kind: 'unsigned' }
  | { readonly kind: 'chunked'; readonly signedChunks: boolean; readonly trailer: boolean };

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

export function payloadModeOf(payloadHash: string): PayloadMode {
  if (SHA256_HEX.test(payloadHash)) return { kind: 'sha256', hex: payloadHash.toLowerCase() };
  switch (payloadHash) {
    case 'UNSIGNED-PAYLOAD':
      return { kind: 'unsigned' };
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD':
      return { kind: 'chunked', signedChunks: true, trailer: false };
    case 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER':
      return { kind: 'chunked', signedChunks: true, trailer: true };
    case 'STREAMING-UNSIGNED-PAYLOAD-TRAILER':
      return { kind: 'chunked', signedChunks: false, trailer: true };
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER':
      throw notImplemented('Signature Version 4A (ECDSA) streaming');
    default:
      throw new S3Error(
        'InvalidArgument',
        400,
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
        { ArgumentName: 'x-amz-content-sha256', ArgumentValue: payloadHash.slice(0, 100) },
      );
  }
}
