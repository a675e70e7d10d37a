/**
 * storage: the S3 endpoint over this deployment's object store, on its own
 * port like MinIO's, so any S3 client (AWS SDK, aws CLI, s3cmd) uploads to
 * eventyard as it would to MinIO. Credentials come from configuration; the
 * documented development keys are refused anywhere but loopback.
 */
import { ConfigError } from '../../core/errors.ts';
import { startS3Gateway } from '../../gateways/s3/s3-gateway.ts';
import { DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY } from '../../runtime/config.ts';
import { defineApp } from '../../runtime/service.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export const storageApp = defineApp({
  name: 'storage',
  services: [
    {
      name: 's3',
      async start({ objects, config, logger }) {
        const host = config.EVENTYARD_S3_HOST || config.EVENTYARD_HOST;
        const accessKeyId = config.EVENTYARD_S3_ACCESS_KEY;
        const secretAccessKey = config.EVENTYARD_S3_SECRET_KEY;
        if (!LOOPBACK.has(host)) {
          if (secretAccessKey === DEV_S3_SECRET_KEY || accessKeyId === DEV_S3_ACCESS_KEY) {
            const name =
              secretAccessKey === DEV_S3_SECRET_KEY
                ? 'EVENTYARD_S3_SECRET_KEY'
                : 'EVENTYARD_S3_ACCESS_KEY';
            throw new ConfigError(
              `${name} is the documented development default, refused while the S3 endpoint listens on ${host}: set your own keys`,
              { path: name },
            );
          }
        }
        const gateway = await startS3Gateway({
          store: objects,
          credentials: [{ accessKeyId, secretAccessKey }],
          host,
          port: config.EVENTYARD_S3_PORT,
          logger,
        });
        return { url: gateway.url, close: () => gateway.close() };
      },
    },
  ],
});
