// Runs the greetings example on the embedded engines:
//   node --import tsx examples/greetings/main.ts

import { createLogger } from '../../src/observability/logger.ts';
import { loadConfig } from '../../src/runtime/config.ts';
import { startHost } from '../../src/runtime/host.ts';
import { installSignalHandlers } from '../../src/runtime/shutdown.ts';
import { greetingsApp } from './app.ts';

const config = loadConfig();
const logger = createLogger(config);
const host = await startHost({ config, apps: [greetingsApp], logger });
installSignalHandlers(host, logger);
