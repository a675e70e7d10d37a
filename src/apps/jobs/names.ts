/** The jobs app's names: the seed's topics, routes and statuses, and its buckets. */

/** Job messages, API -> worker (the seed's Kafka topic). */
export const DATA_STREAM = 'data_stream';
/** Outcomes, worker -> API (the seed's Kafka topic). */
export const STATUS_STREAM = 'status_stream';

/** Where the seed's processor-service serves its API. */
export const BASE_PATH = '/ptc-file-processor';

export const PAYLOADS_BUCKET = 'jobs-payloads';
export const RESULTS_BUCKET = 'jobs-results';

export const JOB_STATUSES = ['RUNNING', 'SUCCESS', 'FAILED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type FinalStatus = Exclude<JobStatus, 'RUNNING'>;
