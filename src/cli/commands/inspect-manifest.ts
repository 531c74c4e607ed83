// `strata inspect-manifest`: filter and print manifest rows.
import { inspectRuns } from '../../history/inspect-runs.js';
import { openManifest } from '../../history/manifest-query.js';
import { INSPECT_TABLE } from '../../history/run-table.js';
import { StrataError, usageError } from '../../errors.js';
import { describeMissingChip, missingChip } from '../../history/chip-history.js';
import { choiceOption, dateOption, integerOption } from '../parse-option.js';
import { printJson, type RegisterCommand } from '../io.js';
import { manifestFlags, withManifestOptions, withOutputOptions, writeRuns, checkRunOutput, type OutputFormat, type ManifestFlags } from '../manifest-options.js';
import { jsonOption } from '../shared-options.js';

interface InspectFlags extends ManifestFlags {
  readonly chip?: number;
  readonly group?: string;
  readonly proc?: string;
  readonly date?: string;
  readonly from?: string;
  readonly to?: string;
  readonly light?: 'yes' | 'no';
  readonly format: OutputFormat;
  readonly out?: string;
  readonly json?: boolean;
}

function dateRange(flags: InspectFlags): { from?: string; to?: string } {
  if (flags.date !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw usageError('give either --date or --from/--to, not both');
  }
  if (flags.from !== undefined && flags.to !== undefined && flags.from > flags.to) {
    throw usageError(`--from ${flags.from} is after --to ${flags.to}`);
  }
  return flags.date !== undefined ? { from: flags.date, to: flags.date } : { from: flags.from, to: flags.to };
}

export const registerInspectManifest: RegisterCommand = (program, { io }) => {
  const command = program
    .command('inspect-manifest')
    .description('Filter and print manifest rows (table: the main columns; csv and json: every column).')
    .option('--chip <n>', 'chip number', integerOption(0, Number.MAX_SAFE_INTEGER))
    .option('--group <name>', 'chip group')
    .option('--proc <name>', 'procedure, e.g. It or IVg')
    .option('--date <YYYY-MM-DD>', 'one local day', dateOption)
    .option('--from <YYYY-MM-DD>', 'first local day (inclusive)', dateOption)
    .option('--to <YYYY-MM-DD>', 'last local day (inclusive)', dateOption)
    .option('--light <yes|no>', 'only runs with (yes) or without (no) light', choiceOption(['yes', 'no'] as const))
    .addOption(jsonOption());
  withOutputOptions(withManifestOptions(command)).action(async (flags: InspectFlags) => {
    checkRunOutput(flags);
    const { file, localTz } = await manifestFlags(io, flags);
    const range = dateRange(flags);
    const light = flags.light === undefined ? undefined : flags.light === 'yes';
    const manifest = await openManifest(file);
    try {
      const filter = { chip: flags.chip, group: flags.group, proc: flags.proc, ...range, light };
      const { columns, runs } = await inspectRuns(manifest, filter, localTz);
      if (runs.length === 0 && flags.chip !== undefined) {
        const missing = await missingChip(manifest, { chip: flags.chip, group: flags.group });
        if (missing !== null) throw new StrataError('input', describeMissingChip(missing, file), { manifest: file, chip: missing.chip });
      }
      writeRuns(io, flags, { title: `Manifest ${file}`, table: INSPECT_TABLE, csvColumns: columns }, runs);
      if (flags.json) printJson(io, { runs: runs.length, manifest: file });
    } finally {
      manifest.close();
    }
  });
};

