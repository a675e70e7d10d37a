// Uploads an image to bucket `images` through eventyard's S3 endpoint with
// the AWS SDK, exactly as to MinIO, then waits for its record to get a
// thumbnail. Run while `npm start` runs:
//   node --import tsx examples/media/upload.ts examples/media/sample.jpg
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const file = process.argv[2] ?? 'examples/media/sample.jpg';
const api = process.env.API_URL ?? 'http://localhost:8080';
const s3 = new S3Client({
  endpoint: process.env.S3_URL ?? 'http://localhost:9000',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: {
    accessKeyId: process.env.EVENTYARD_S3_ACCESS_KEY ?? 'eventyard',
    secretAccessKey: process.env.EVENTYARD_S3_SECRET_KEY ?? 'eventyard-dev-secret',
  },
});

const key = `examples/${Date.now()}-${basename(file)}`;
await s3.send(
  new PutObjectCommand({
    Bucket: 'images',
    Key: key,
    Body: readFileSync(file),
    ContentType: 'image/jpeg',
  }),
);
console.log(`uploaded s3://images/${key}`);

for (let tries = 0; tries < 100; tries++) {
  const page = await fetch(`${api}/media/images?key=${encodeURIComponent(key)}`);
  const [record] = ((await page.json()) as { items: Array<{ status: string }> }).items;
  if (record && record.status !== 'indexed') {
    console.log(JSON.stringify(record, null, 2));
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}
s3.destroy();
