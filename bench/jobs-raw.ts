/**
 * The floor under `POST /ptc-file-processor/job/image`: a bare fastify
 * route doing the same work with no framework of ours. JSON body, base64
 * decode, MD5 checked, the bytes written to a new file (as the fs object
 * store writes a blob), then one better-sqlite3 insert (WAL, synchronous=NORMAL): the
 * embedded engines' default durability (EVENTYARD_FSYNC=false: a put and a
 * commit survive a crash of the process, not a power loss; with it set,
 * both fsync). No JWT, no schema, no outbox message.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { JOB_IMAGE_PATH, type LoadOptions, type LoadResult, runLoad } from './jobs-load.ts';

async function writeFile(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.write(bytes);
  } finally {
    await handle.close();
  }
}

/** Runs `load` (url and token aside) against the bare route on a fresh `dir`. */
export async function measureRawJobPost(
  dir: string,
  load: Omit<LoadOptions, 'url' | 'token'>,
): Promise<LoadResult> {
  const blobs = join(dir, 'blobs');
  mkdirSync(blobs, { recursive: true });
  const db = new Database(join(dir, 'raw.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE jobs (id TEXT PRIMARY KEY, size INTEGER, md5 TEXT, created_at TEXT)');
  const insert = db.prepare('INSERT INTO jobs VALUES (?, ?, ?, ?)');
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  app.post(JOB_IMAGE_PATH, async (request, reply) => {
    const body = request.body as { md5: string; content: string };
    const bytes = Buffer.from(body.content, 'base64');
    const md5 = createHash('md5').update(bytes).digest('hex');
    if (md5 !== body.md5) return reply.code(400).send({ error: 'md5 mismatch' });
    const id = randomUUID();
    await writeFile(join(blobs, id), bytes);
    insert.run(id, bytes.length, md5, new Date().toISOString());
    return reply.code(201).send({ jobId: id });
  });
  try {
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return await runLoad({ ...load, url, token: 'unused' });
  } finally {
    await app.close();
    db.close();
  }
}
