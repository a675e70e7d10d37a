import type { AppDefinition } from '../runtime/service.ts';
import { catalogApp } from './catalog/app.ts';
import { jobsApp } from './jobs/app.ts';
import { mediaApp } from './media/app.ts';
import { storageApp } from './storage/app.ts';

/**
 * The apps `eventyard start` runs (`eventyard run <service...>` picks some):
 * the S3 endpoint and the systems of ../shared/seeds/ built so far.
 */
export const apps: AppDefinition[] = [storageApp, mediaApp, jobsApp, catalogApp];
