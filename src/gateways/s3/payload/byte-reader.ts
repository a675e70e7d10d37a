/**
 * Pulls lines and byte runs out of a stream of buffers, for framed bodies
 * (aws-chunked). Holds at most one line plus one incoming buffer.
 */
import { S3Error } from '../s3-error.ts';

export class ByteReader {
  private readonly source: AsyncIterator<Uint8Array>;
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /**
   * The next line without its CRLF; undefined at the end of the stream when
   * no byte of a line has arrived. A line longer than `maxBytes` is refused.
   * The last line may end at the end of the stream instead of a CRLF when
   * `allowUnterminated`.
   */
  async readLine(maxBytes: number, allowUnterminated = false): Promise<string | undefined> {
    for (;;) {
      const end = this.pending.indexOf('\r\n');
      if (end >= 0) {
        const line = this.pending.subarray(0, end).toString('latin1');
        this.pending = this.pending.subarray(end + 2);
        return line;
      }
      if (this.pending.length > maxBytes) throw malformed('a line is too long');
      if (!(await this.fill())) {
        if (this.pending.length === 0) return undefined;
        if (!allowUnterminated) throw incomplete();
        const line = this.pending.toString('latin1');
        this.pending = Buffer.alloc(0);
        return line;
      }
    }
  }

  /** Up to `count` bytes (at least one), or undefined at the end of the stream. */
  async read(count: number): Promise<Buffer | undefined> {
    if (this.pending.length === 0 && !(await this.fill())) return undefined;
    const taken = this.pending.subarray(0, count);
    this.pending = this.pending.subarray(taken.length);
    return taken;
  }

  /** Exactly `text`, else the body is malformed. */
  async expect(text: string): Promise<void> {
    while (this.pending.length < text.length) {
      if (!(await this.fill())) throw incomplete();
    }
    if (this.pending.subarray(0, text.length).toString('latin1') !== text) {
      throw malformed(`expected ${JSON.stringify(text)}`);
    }
    this.pending = this.pending.subarray(text.length);
  }

  /** True when nothing is left. */
  async atEnd(): Promise<boolean> {
    return this.pending.length === 0 && !(await this.fill());
  }

  /**
   * Lets go of the source (its iterator's `return`). For a request stream
   * made with `destroyOnReturn: false` this detaches the reader without
   * destroying the socket, so what is left of the body can be drained.
   */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.source.return?.();
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return true;
  }
}

export function malformed(why: string): S3Error {
  return new S3Error('InvalidRequest', 400, `The aws-chunked body is malformed: ${why}.`);
}

export function incomplete(): S3Error {
  return new S3Error(
    'IncompleteBody',
    400,
    'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  );
}
