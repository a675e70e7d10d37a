#!/usr/bin/env node
// The `eventyard` command. Sources are TypeScript, loaded through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
