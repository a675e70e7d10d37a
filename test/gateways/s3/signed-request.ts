/**
 * Requests signed by the AWS SDK's own signer (@smithy/signature-v4), sent
 * with node:http so every header (Host included) is exactly as given: for
 * what the SDK client cannot send (a tampered body, a Host naming a
 * bucket, a hand-made aws-chunked body).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { type Agent, request as httpRequest } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { CREDENTIALS } from './s3-fixture.ts';

class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

export function signer(
  credentials: { accessKeyId: string; secretAccessKey: string } = CREDENTIALS,
  region = 'us-east-1',
): SignatureV4 {
  // S3 signs the path as sent (no second encoding) and keeps the payload hash header.
  return new SignatureV4({
    credentials,
    region,
    service: 's3',
    sha256: NodeSha256,
    uriEscapePath: false,
    applyChecksum: true,
  });
}

export interface PlainRequest {
  readonly method: string;
  /** Base URL of the endpoint: http://127.0.0.1:port */
  readonly endpoint: string;
  /** Already percent-encoded, as it goes on the wire. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer;
  /** For keep-alive tests; default a fresh connection. */
  readonly agent?: Agent;
}

export interface SignOptions {
  readonly signer?: SignatureV4;
  readonly signingDate?: Date;
  /** x-amz-content-sha256; default the body's SHA-256. */
  readonly payloadHash?: string;
}

/** The request with Authorization and x-amz-* headers added. */
export async function signRequest(
  plain: PlainRequest,
  options: SignOptions = {},
): Promise<PlainRequest> {
  const url = new URL(plain.endpoint);
  const headers: Record<string, string> = { host: url.host, ...plain.headers };
  headers['x-amz-content-sha256'] =
    options.payloadHash ??
    createHash('sha256')
      .update(plain.body ?? Buffer.alloc(0))
      .digest('hex');
  const signed = await (options.signer ?? signer()).sign(
    {
      method: plain.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: plain.path,
      query: plain.query ?? {},
      headers,
      body: plain.body,
    },
    { signingDate: options.signingDate },
  );
  return { ...plain, headers: signed.headers as Record<string, string> };
}

/** A presigned URL for the request, made by the SDK's signer. */
export async function presignUrl(
  plain: PlainRequest,
  options: { expiresIn?: number; signingDate?: Date; signer?: SignatureV4 } = {},
): Promise<string> {
  const url = new URL(plain.endpoint);
  const signed = await (options.signer ?? signer()).presign(
    {
      method: plain.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: plain.path,
      query: plain.query ?? {},
      headers: { host: url.host, ...plain.headers },
    },
    { expiresIn: options.expiresIn ?? 300, signingDate: options.signingDate },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `${plain.endpoint}${plain.path}?${query}`;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
}

/** Sends the request as given (headers, Host and path untouched). */
export function send(plain: PlainRequest): Promise<RawResponse> {
  const url = new URL(plain.endpoint);
  const query = plain.query
    ? `?${Object.entries(plain.query)
        .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`)
        .join('&')}`
    : '';
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        method: plain.method,
        host: url.hostname,
        port: url.port,
        path: `${plain.path}${query}`,
        headers: plain.headers,
        setHost: plain.headers?.host === undefined,
        agent: plain.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(plain.body);
  });
}

/** `<Code>` of an S3 XML error body. */
export function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}
