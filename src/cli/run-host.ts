/**
 * `start` and `run`: the service host in this process until a signal
 * drains it. Logs go to stdout as JSON (the platform collects them);
 * a failure to start is still one line on stderr (see failure.ts).
 */

/**
 * Starts the host with `services` (every service when undefined) and
 * leaves it running: the signal handlers drain it and end the process.
 * The runtime is loaded here, on use (see engine-session.ts).
 */
export async function runHost(services?: readonly string[]): Promise<void> {
  const { loadConfig } = await import('../runtime/config.ts');
  const config = loadConfig();
  const [{ startHost }, { installSignalHandlers }, { createLogger }, { apps }] = await Promise.all([
    import('../runtime/host.ts'),
    import('../runtime/shutdown.ts'),
    import('../observability/logger.ts'),
    import('../apps/index.ts'),
  ]);
  const logger = createLogger(config);
  const host = await startHost({ config, apps, services, logger });
  installSignalHandlers(host, logger);
}
