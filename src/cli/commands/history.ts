// `strata history CHIP`: every run of one chip across all days, from the manifest.
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { chipHistory, HISTORY_CSV_COLUMNS, describeMissingChip, missingChip, oldLightMarker } from '../../history/chip-history.js';
import { openManifest } from '../../history/manifest-query.js';
import { HISTORY_TABLE } from '../../history/run-table.js';
import { StrataError, usageError } from '../../errors.js';
import { choiceOption, integerOption } from '../parse-option.js';
import { printJson, say, type RegisterCommand } from '../io.js';
import { FORMATS, manifestFlags, withManifestOptions, withOutputOptions, writeRuns, checkRunOutput, type OutputFormat, type ManifestFlags } from '../manifest-options.js';
import { jsonOption } from '../shared-options.js';

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
  readonly chip?: ChipArgument;
  readonly group?: string;
  readonly chipGroup?: string;
  readonly proc?: string;
  readonly light?: 'yes' | 'no';
  readonly limit?: number;
  readonly format: OutputFormat | 'parquet';
  readonly out?: string;
  readonly outCsv?: string;
  readonly stageRoot?: string;
  readonly chipParams?: string;
  readonly json?: boolean;
}

/** The old system's `--out-csv FILE` is `--format csv --out FILE`. */
function outputOf(flags: HistoryFlags): { format: OutputFormat | 'parquet'; out?: string | undefined; json?: boolean | undefined } {
  if (flags.outCsv !== undefined) return { format: 'csv', out: flags.outCsv, json: flags.json };
  return { format: flags.format, out: flags.out, json: flags.json };
}

export const registerHistory: RegisterCommand = (program, { io }) => {
  const command = program
    .command('history')
    .description('Every run of one chip across all days, in start-time order and numbered seq from 1 (reads the manifest only).')
    .argument('[chip]', 'chip number (67) or chip name (Alisson67)', chipArgument)
    .option('--chip <chip>', 'the chip, as a flag (the Python system\'s way)', chipArgument)
    .option('--group <name>', 'chip group, when several groups use the same number')
    .option('--chip-group <name>', "the Python system's name for --group")
    .option('--proc <name>', 'only runs of this procedure (seq stays the number in the full history)')
    .option('--light <yes|no>', 'only runs with (yes) or without (no) light (seq stays)', choiceOption(['yes', 'no'] as const))
    .option('--limit <n>', 'only the n most recent runs (after the filters)', integerOption(1, Number.MAX_SAFE_INTEGER))
    .option('--out-csv <file>', "the Python system's --out-csv: --format csv --out FILE")
    .option('--stage-root <dir>', 'for --format parquet: the lake the runs\' Parquet paths are under (default: found beside the manifest)')
    .option('--chip-params <file>', "the lab's chip parameters YAML: the chip's notes head its history")
    .addOption(jsonOption());
  withOutputOptions(withManifestOptions(command), [...FORMATS, 'parquet']).action(async (positional: ChipArgument | undefined, flags: HistoryFlags) => {
    const chip = positional ?? flags.chip;
    if (chip === undefined) throw usageError('name the chip: strata history 67 (or --chip 67)');
    const output = outputOf(flags);
    if (output.format === 'parquet' && output.out === undefined) throw usageError('--format parquet needs --out FILE');
    if (output.format !== 'parquet') checkRunOutput({ ...output, format: output.format });
    const { file, localTz } = await manifestFlags(io, flags);
    const manifest = await openManifest(file);
    try {
      const group = flags.group ?? flags.chipGroup ?? chip.group;
      const light = flags.light === undefined ? undefined : flags.light === 'yes';
      const history = await chipHistory(manifest, { chip: chip.number, group, proc: flags.proc, light, limit: flags.limit, localTz });
      const name = `${history.chipGroup}${history.chipNumber}`;
      if (history.runs.length === 0) {
        const missing = await missingChip(manifest, { chip: chip.number, group });
        if (missing !== null) throw new StrataError('input', describeMissingChip(missing, file), { manifest: file, chip: missing.chip });
        say(io, `no runs of chip ${name} match these filters in ${file}`);
      }
      // Loaded only when asked for: a plain history needs neither the YAML reader nor the lake checks.
      const notes =
        flags.chipParams === undefined
          ? null
          : ((await import('../../config/chip-params.js')).loadChipParams(path.resolve(io.cwd, flags.chipParams)).chips.get(chip.number)?.notes ?? null);
      if (output.format === 'parquet') {
        const { stageRootOf } = await import('../stage-root.js');
        const stageRoot = stageRootOf(io, flags.stageRoot, file);
        const out = path.resolve(io.cwd, output.out!);
        const { writeHistoryParquet } = await import('../../history/history-parquet.js');
        await writeHistoryParquet(manifest, history, { file: out, stageRoot, localTz });
        say(io, `wrote ${history.runs.length} run(s) to ${out}`);
      } else {
        const runs = history.runs.map((r) => ({ ...r, light: oldLightMarker(r.has_light) }));
        const title = `History of ${name}${flags.proc ? ` (${flags.proc} runs)` : ''}${notes ? `: ${notes}` : ''}`;
        writeRuns(io, { ...output, format: output.format }, { title, table: HISTORY_TABLE, csvColumns: HISTORY_CSV_COLUMNS }, output.format === 'json' ? history.runs : runs);
      }
      if (flags.json) printJson(io, { chip: name, runs: history.runs.length, manifest: file, ...(notes ? { notes } : {}) });
    } finally {
      manifest.close();
    }
  });
};
