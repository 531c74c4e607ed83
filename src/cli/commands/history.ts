// `strata history CHIP`: every run of one chip across all days, from the manifest.
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { loadChipParams } from '../../config/chip-params.js';
import { chipHistory, HISTORY_COLUMNS } from '../../history/chip-history.js';
import { openManifest } from '../../history/manifest-query.js';
import { HISTORY_TABLE } from '../../history/run-table.js';
import { printJson, say } from '../io.js';
import { manifestFlags, withManifestOptions, withOutputOptions, writeRuns, type OutputFormat, type ManifestFlags } from '../manifest-options.js';
import type { RegisterCommand } from './index.js';

interface ChipArgument {
  readonly number: number;
  readonly group?: string;
}

/** `67`, or a chip name such as `Alisson67` (group and number). */
function chipArgument(text: string): ChipArgument {
  const match = /^(?<group>\D*?)[\s_-]?(?<number>\d+)$/.exec(text.trim());
  if (!match?.groups) throw new InvalidArgumentError(`expected a chip number such as 67 or a chip name such as Alisson67, got '${text}'.`);
  const { group, number } = match.groups;
  return group ? { number: Number(number), group } : { number: Number(number) };
}

interface HistoryFlags extends ManifestFlags {
  readonly group?: string;
  readonly proc?: string;
  readonly format: OutputFormat;
  readonly out?: string;
  readonly chipParams?: string;
  readonly json?: boolean;
}

export const registerHistory: RegisterCommand = (program, { io }) => {
  const command = program
    .command('history')
    .description('Every run of one chip across all days, in start-time order and numbered seq from 1 (reads the manifest only).')
    .argument('<chip>', 'chip number (67) or chip name (Alisson67)', chipArgument)
    .option('--group <name>', 'chip group, when several groups use the same number')
    .option('--proc <name>', 'only runs of this procedure (seq stays the number in the full history)')
    .option('--chip-params <file>', "the lab's chip parameters YAML: the chip's notes head its history")
    .option('--json', 'print a JSON summary as the last line');
  withOutputOptions(withManifestOptions(command)).action(async (chip: ChipArgument, flags: HistoryFlags) => {
    const { file, localTz } = manifestFlags(io, flags);
    const manifest = await openManifest(file);
    try {
      const history = await chipHistory(manifest, { chip: chip.number, group: flags.group ?? chip.group, proc: flags.proc, localTz });
      const name = `${history.chipGroup}${history.chipNumber}`;
      const notes = flags.chipParams === undefined ? null : (loadChipParams(path.resolve(io.cwd, flags.chipParams)).chips.get(chip.number)?.notes ?? null);
      if (history.runs.length === 0) say(io, `no runs of chip ${flags.group ?? chip.group ?? ''}${chip.number} in ${file}`);
      writeRuns(io, flags, { title: `History of ${name}${flags.proc ? ` (${flags.proc} runs)` : ''}${notes ? `: ${notes}` : ''}`, table: HISTORY_TABLE, csvColumns: HISTORY_COLUMNS }, history.runs);
      if (flags.json) printJson(io, { chip: name, runs: history.runs.length, manifest: file, ...(notes ? { notes } : {}) });
    } finally {
      manifest.close();
    }
  });
};
