/**
 * Sections 10 and 11 each in a fresh process, as `npm start` runs a host:
 * run after sections 1 to 9 in the bench's own process, the jobs host's
 * p99 at 500 requests/s came out 43-56 ms where a fresh process gives
 * 13-20 ms, on a machine already quiet again (the heap those sections left
 * was released first, and made no difference). `runHostSection()` forks
 * this file, which measures one section and sends it back over IPC.
 */
import { CATALOG_DEFAULT_SIZES, CATALOG_QUICK_SIZES, measureCatalog } from './catalog.ts';
import { JOBS_DEFAULT_SIZES, JOBS_QUICK_SIZES, measureJobs } from './jobs.ts';
import { runInChild, serveInChild } from './load-child.ts';
import type { Section } from './report.ts';

export interface HostSectionRun {
  readonly name: 'jobs' | 'catalog';
  /** The section's working dir (the bench run's temp dir). */
  readonly dir: string;
  readonly quick: boolean;
}

function measure({ name, dir, quick }: HostSectionRun): Promise<Section> {
  if (name === 'jobs') return measureJobs(dir, quick ? JOBS_QUICK_SIZES : JOBS_DEFAULT_SIZES);
  return measureCatalog(dir, quick ? CATALOG_QUICK_SIZES : CATALOG_DEFAULT_SIZES);
}

/** Measures the section in a child process; resolves with it. */
export function runHostSection(run: HostSectionRun): Promise<Section> {
  return runInChild(import.meta.url, run);
}

serveInChild(import.meta.url, measure);
