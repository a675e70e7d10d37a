/**
 * jobs: the job API and workers of seed 002. POST a JWT-authenticated image
 * to /ptc-file-processor/job/image -> payload stored, job `RUNNING`, job
 * message on `data_stream` -> worker processes it and stores the result ->
 * `SUCCESS`/`FAILED` on `status_stream` -> the API's status consumer
 * updates the job.
 */
import { defineApp } from '../../runtime/service.ts';
import { api } from './api.ts';
import { jobsMigrations } from './schema.ts';
import { worker } from './worker.ts';

export const jobsApp = defineApp({
  name: 'jobs',
  migrations: jobsMigrations,
  services: [api, worker],
});
