import type { AppDefinition } from '../runtime/service.ts';

/** The apps `eventyard start` runs; media, jobs, catalog, telemetry and provisioning arrive in later issues. */
export const apps: AppDefinition[] = [];
