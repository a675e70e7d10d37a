/**
 * `eventyard config`: every EVENTYARD_* setting with its description,
 * default and the value this environment gives it. A refused value is
 * still listed (as given), then reported like any bad configuration.
 */
import type { Command } from 'commander';
import type { Config } from '../../runtime/config.ts';
import { examples } from '../help-text.ts';
import { type Column, writeRows } from '../output.ts';

interface SettingRow {
  readonly name: string;
  readonly current: unknown;
  readonly default: unknown;
  readonly description: string;
}

const COLUMNS: readonly Column<SettingRow>[] = [
  { header: 'VARIABLE', value: (s) => s.name },
  { header: 'CURRENT', value: (s) => shown(s.current) },
  { header: 'DEFAULT', value: (s) => shown(s.default) },
  { header: 'DESCRIPTION', value: (s) => s.description },
];

function shown(value: unknown): string {
  return value === '' ? '(empty)' : String(value);
}

export function configCommand(program: Command): void {
  program
    .command('config')
    .summary('list every EVENTYARD_* setting: current value, default, description')
    .description(
      'List every EVENTYARD_* variable: current value, default, description. Values come from the environment, or from the JSON file named by EVENTYARD_CONFIG (the environment wins).',
    )
    .option('--json', 'one JSON object per variable and line instead of a table')
    .addHelpText(
      'after',
      examples('eventyard config', 'EVENTYARD_PORT=9090 eventyard config --json'),
    )
    .action(async (flags: { json?: boolean }) => {
      // Loaded on use: see engine-session.ts.
      const { describeConfig, loadConfig } = await import('../../runtime/config.ts');
      let config: Config | undefined;
      let refusal: unknown;
      try {
        config = loadConfig();
      } catch (error) {
        refusal = error;
      }
      const rows = describeConfig().map((setting) => ({
        name: setting.name,
        current: config
          ? config[setting.name as keyof Config]
          : (process.env[setting.name] ?? setting.default),
        default: setting.default,
        description: setting.description,
      }));
      await writeRows(rows, COLUMNS, flags.json === true);
      if (refusal !== undefined) throw refusal;
    });
}
