/**
 * The checksums S3 accepts in `x-amz-checksum-<algorithm>` headers and
 * aws-chunked trailers: CRC32, CRC32C, CRC64NVME, SHA1 and SHA256, base64
 * of the big-endian digest. CRC32 and the SHAs come from node; CRC32C and
 * CRC64NVME are small table-driven implementations (node has neither), one
 * byte at a time: fast enough for uploads, and they only run when a client
 * asks for them.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'crc64nvme' | 'sha1' | 'sha256';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  'crc32',
  'crc32c',
  'crc64nvme',
  'sha1',
  'sha256',
];

export interface RunningChecksum {
  update(data: Uint8Array): void;
  /** Base64 of the digest, as S3 writes it. */
  digest(): string;
}

/** `x-amz-checksum-crc32` -> `crc32`; undefined for any other header name. */
export function checksumAlgorithmOf(headerName: string): ChecksumAlgorithm | undefined {
  const lower = headerName.toLowerCase();
  if (!lower.startsWith('x-amz-checksum-')) return undefined;
  const name = lower.slice('x-amz-checksum-'.length);
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name)
    ? (name as ChecksumAlgorithm)
    : undefined;
}

export function runningChecksum(algorithm: ChecksumAlgorithm): RunningChecksum {
  switch (algorithm) {
    case 'crc32':
      return crc32Checksum();
    case 'crc32c':
      return crc32cChecksum();
    case 'crc64nvme':
      return crc64NvmeChecksum();
    case 'sha1':
    case 'sha256': {
      const hash = createHash(algorithm);
      return { update: (data) => hash.update(data), digest: () => hash.digest('base64') };
    }
  }
}

function crc32Checksum(): RunningChecksum {
  let value = 0;
  return {
    update: (data) => {
      value = crc32(data, value);
    },
    digest: () => uint32Base64(value),
  };
}

/** Castagnoli polynomial, reflected. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32cChecksum(): RunningChecksum {
  let crc = 0xffffffff;
  return {
    update: (data) => {
      for (let i = 0; i < data.length; i++) {
        crc = CRC32C_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
      }
    },
    digest: () => uint32Base64((crc ^ 0xffffffff) >>> 0),
  };
}

/**
 * CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), kept as two 32-bit
 * halves so the loop runs on plain numbers instead of BigInt.
 */
const CRC64_TABLES = (() => {
  const high = new Uint32Array(256);
  const low = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? 0x9a6c9329ac4bc9b5n ^ (c >> 1n) : c >> 1n;
    high[n] = Number(c >> 32n);
    low[n] = Number(c & 0xffffffffn);
  }
  return { high, low };
})();

function crc64NvmeChecksum(): RunningChecksum {
  let high = 0xffffffff;
  let low = 0xffffffff;
  return {
    update: (data) => {
      const { high: th, low: tl } = CRC64_TABLES;
      for (let i = 0; i < data.length; i++) {
        const index = (low ^ data[i]!) & 0xff;
        low = (((low >>> 8) | (high << 24)) ^ tl[index]!) >>> 0;
        high = ((high >>> 8) ^ th[index]!) >>> 0;
      }
    },
    digest: () => {
      const bytes = Buffer.alloc(8);
      bytes.writeUInt32BE((high ^ 0xffffffff) >>> 0, 0);
      bytes.writeUInt32BE((low ^ 0xffffffff) >>> 0, 4);
      return bytes.toString('base64');
    },
  };
}

function uint32Base64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0, 0);
  return bytes.toString('base64');
}
