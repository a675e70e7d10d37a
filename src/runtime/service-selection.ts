/**
 * Which services run in this process. `eventyard start` runs them all;
 * `eventyard run <name...>` names some, each as `app` (all its services),
 * `app.service`, or a bare service name when only one app has it.
 */
import { ConfigError } from '../core/errors.ts';
import { type AppDefinition, type ServiceDefinition, serviceId } from './service.ts';

export interface SelectedService {
  readonly app: AppDefinition;
  readonly service: ServiceDefinition;
  /** `<app>.<service>` */
  readonly id: string;
}

/**
 * The services `names` select, in the apps' declaration order and each
 * once. `names` omitted selects every service; an empty list selects none
 * (the host then serves only /health, /metrics and the events API).
 * Unknown or ambiguous names are refused with a ConfigError listing the
 * known ones.
 */
export function selectServices(
  apps: readonly AppDefinition[],
  names?: readonly string[],
): SelectedService[] {
  const all = apps.flatMap((app) =>
    app.services.map((service) => ({ app, service, id: serviceId(app, service) })),
  );
  if (names === undefined) return all;
  const chosen = new Set<string>();
  for (const name of names) {
    for (const id of resolveName(all, apps, name.trim())) chosen.add(id);
  }
  return all.filter((entry) => chosen.has(entry.id));
}

function resolveName(
  all: readonly SelectedService[],
  apps: readonly AppDefinition[],
  name: string,
): string[] {
  if (apps.some((app) => app.name === name)) {
    return all.filter((entry) => entry.app.name === name).map((entry) => entry.id);
  }
  if (all.some((entry) => entry.id === name)) return [name];
  const bare = all.filter((entry) => entry.service.name === name);
  if (bare.length === 1) return [bare[0]!.id];
  if (bare.length > 1) {
    throw new ConfigError(
      `service '${name}' is ambiguous: say ${bare.map((entry) => `'${entry.id}'`).join(' or ')}`,
      { path: 'services', name },
    );
  }
  throw new ConfigError(`unknown service '${name}'; known: ${describeKnown(all, apps)}`, {
    path: 'services',
    name,
  });
}

function describeKnown(all: readonly SelectedService[], apps: readonly AppDefinition[]): string {
  if (all.length === 0 && apps.length === 0) return 'none (no apps are installed)';
  const appNames = apps.map((app) => app.name);
  const ids = all.map((entry) => entry.id);
  return [...appNames, ...ids].join(', ');
}
