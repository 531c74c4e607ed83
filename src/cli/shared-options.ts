// The flags several commands share, each declared once: its name, its help and its default live here, and a
// command says only what its own summary or data folder holds (`.addOption(jsonOption(...))` in its chain).
import path from 'node:path';
import { Option } from 'commander';
import { SHIPPED_PROCEDURES_YAML } from '../schema/shipped-procedures.js';
import { DEFAULT_LOCAL_TZ, LOCAL_TZ_HELP } from '../time/time-zone.js';
import type { CliIo } from './io.js';

/** --json: `what` (the summary, by default) as one JSON object, the last line on stdout and nothing else there. */
export function jsonOption(what = 'the summary'): Option {
  return new Option('--json', `print ${what} as one JSON object on stdout (the last line, and nothing else there)`);
}

export function localTzOption(): Option {
  return new Option('--local-tz <zone>', LOCAL_TZ_HELP).default(DEFAULT_LOCAL_TZ);
}

/** --procedures-yaml, for what the command reads of it. */
export function proceduresYamlOption(readsFor: string): Option {
  return new Option('--procedures-yaml <file>', `the procedures YAML ${readsFor} (default: the one strata ships, config/procedures.yml)`);
}

export function proceduresYamlOf(io: CliIo, flags: { readonly proceduresYaml?: string | undefined }): string {
  return flags.proceduresYaml === undefined ? SHIPPED_PROCEDURES_YAML : path.resolve(io.cwd, flags.proceduresYaml);
}

export const DEFAULT_DATA_ROOT = 'data';

/**
 * --data-root: the lab's data folder, one folder for both flows (instrument files: 01_raw/, 02_stage/, 03_history/,
 * 03_derived/; landed files: landed/, stage/ and strata.duckdb); `uses` says which of its folders the command uses.
 */
export function dataRootOption(uses: string): Option {
  return new Option('--data-root <dir>', `the lab's data folder (default: ${DEFAULT_DATA_ROOT}), of which this command uses ${uses}`);
}
