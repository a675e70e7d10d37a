/**
 * The load generator of the jobs bench: `POST /ptc-file-processor/job/image`
 * at a host, in a child process of the bench (see jobs.ts for why), at a
 * steady rate (paced-load.ts) or as fast as autocannon's connections go. `runLoad()` forks this file, sends it a
 * `LoadOptions` and gets a `LoadResult` back over IPC.
 *
 * Every request carries its own body: the same ~10 KiB JPEG with a JPEG
 * comment segment (COM) holding a sequence number after its SOI marker,
 * so each upload is a different, still decodable image with its own MD5.
 */
import { createHash } from 'node:crypto';
import autocannon from 'autocannon';
import { type LoadSummary, runInChild, serveInChild, summaryOf } from './load-child.ts';
import { pacedLoad } from './paced-load.ts';

export const JOB_IMAGE_PATH = '/ptc-file-processor/job/image';

export interface LoadOptions {
  /** Base URL of the host, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Bare JWT sent in Authorization. */
  readonly token: string;
  /** The JPEG every body is made from. */
  readonly image: Uint8Array;
  readonly connections: number;
  /** Requests/s over all connections; none: as fast as the connections go. */
  readonly rate?: number;
  /** Load first fired and discarded (connections opened, JIT warm), seconds. 0 for none. */
  readonly warmupSeconds: number;
  readonly seconds: number;
}

export type LoadResult = LoadSummary;

const SOI_LENGTH = 2;

/** `image` with a COM segment naming `sequence` after SOI: a valid JPEG of its own. */
export function numberedJpeg(image: Uint8Array, sequence: number): Buffer {
  const text = Buffer.from(`eventyard-bench ${sequence}`, 'latin1');
  const header = Buffer.from([0xff, 0xfe, 0, 0]);
  header.writeUInt16BE(text.length + 2, 2); // the length counts itself, not the marker
  return Buffer.concat([image.subarray(0, SOI_LENGTH), header, text, image.subarray(SOI_LENGTH)]);
}

function jobBodyOf(bytes: Buffer): string {
  return JSON.stringify({
    encoding: 'base64',
    md5: createHash('md5').update(bytes).digest('hex'),
    content: bytes.toString('base64'),
  });
}

/** As fast as the connections go (a steady rate is paced-load.ts's). */
function fire(options: LoadOptions, seconds: number, firstSequence: number) {
  let sequence = firstSequence;
  return autocannon({
    url: `${options.url}${JOB_IMAGE_PATH}`,
    connections: options.connections,
    duration: seconds,
    headers: { authorization: options.token, 'content-type': 'application/json' },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({
          ...request,
          body: jobBodyOf(numberedJpeg(options.image, sequence++)),
        }),
      },
    ],
  });
}

async function generate(options: LoadOptions): Promise<LoadResult> {
  if (options.rate !== undefined) {
    // A steady rate (autocannon's overallRate sends each second's share in a burst: paced-load.ts).
    return pacedLoad({
      url: `${options.url}${JOB_IMAGE_PATH}`,
      method: 'POST',
      headers: { authorization: options.token, 'content-type': 'application/json' },
      body: (sequence) => jobBodyOf(numberedJpeg(options.image, sequence)),
      rate: options.rate,
      connections: options.connections,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
    });
  }
  // Sequences of the warm-up and the run never meet: each body stays unique.
  if (options.warmupSeconds > 0) await fire(options, options.warmupSeconds, 1_000_000_000);
  const result = await fire(options, options.seconds, 0);
  return summaryOf(result);
}

/** Runs the load in a child process; resolves with its result. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return runInChild(import.meta.url, options);
}

serveInChild(import.meta.url, generate);
