// `strata histories --out-dir D`: one `<Group><Number>_history.csv` (or .parquet) per chip with enough runs.
import path from 'node:path';
import { allChipHistories } from '../../history/chip-history.js';
import { historyFilePath, writeHistoriesFolder, type HistoryOutcome } from '../../history/histories-folder.js';
import { writeHistoryParquet } from '../../history/history-parquet.js';
import { openManifest } from '../../history/manifest-query.js';
import { usageError } from '../../errors.js';
import { choiceOption, integerOption } from '../parse-option.js';
import { printJson, say, type RegisterCommand } from '../io.js';
import { manifestFlags, withManifestOptions, type ManifestFlags } from '../manifest-options.js';
import { counted } from '../../progress/counted.js';
import { stageRootOf } from '../stage-root.js';
import { jsonOption } from '../shared-options.js';

interface HistoriesFlags extends ManifestFlags {
  readonly outDir?: string;
  readonly historiesDir?: string;
  readonly minExperiments: number;
  readonly group?: string;
  readonly chipGroup?: string;
  readonly format: 'csv' | 'parquet';
  readonly light?: 'yes' | 'no';
  readonly limit?: number;
  readonly stageRoot?: string;
  readonly json?: boolean;
}

export const registerHistories: RegisterCommand = (program, { io }) => {
  const command = program
    .command('histories')
    .description('Write one <Group><Number>_history.csv (or .parquet) per chip (reads the manifest only; seq as in `strata history`).')
    .option('--out-dir <dir>', 'folder for the history files (required)')
    .option('--histories-dir <dir>', "the Python system's name for --out-dir")
    .option('--min-experiments <n>', 'only chips with at least this many runs', integerOption(1, 1_000_000), 1)
    .option('--group <name>', 'only chips of this group')
    .option('--chip-group <name>', "the Python system's name for --group")
    .option('--light <yes|no>', 'only runs with (yes) or without (no) light (seq stays)', choiceOption(['yes', 'no'] as const))
    .option('--limit <n>', "only each chip's n most recent runs", integerOption(1, Number.MAX_SAFE_INTEGER))
    .option('--format <format>', 'csv, or parquet (with each run\'s Parquet path)', choiceOption(['csv', 'parquet'] as const), 'csv')
    .option('--stage-root <dir>', 'for --format parquet: the lake the runs\' Parquet paths are under (default: found beside the manifest)')
    .addOption(jsonOption());
  withManifestOptions(command).action(async (flags: HistoriesFlags) => {
    const dir = flags.outDir ?? flags.historiesDir;
    if (dir === undefined) throw usageError("required option '--out-dir <dir>' not specified");
    const outDir = path.resolve(io.cwd, dir);
    const { file, localTz } = await manifestFlags(io, flags);
    const manifest = await openManifest(file);
    try {
      const light = flags.light === undefined ? undefined : flags.light === 'yes';
      const filter = { group: flags.group ?? flags.chipGroup, minExperiments: flags.minExperiments, light, limit: flags.limit, localTz };
      const histories = await allChipHistories(manifest, filter);
      let outcomes: HistoryOutcome[];
      if (flags.format === 'parquet') {
        const stageRoot = stageRootOf(io, flags.stageRoot, file);
        outcomes = [];
        for (const history of histories) {
          const chip = `${history.chipGroup}${history.chipNumber}`;
          const target = historyFilePath(outDir, history, 'parquet');
          if (!target.ok) {
            outcomes.push({ kind: 'refused', chip, runs: history.runs.length, reason: target.reason });
            continue;
          }
          await writeHistoryParquet(manifest, history, { file: target.file, stageRoot, localTz });
          outcomes.push({ kind: 'written', chip, file: target.file, runs: history.runs.length, renumbered: 0 });
        }
      } else {
        outcomes = writeHistoriesFolder(histories, outDir);
      }
      const written = outcomes.flatMap((o) => (o.kind === 'written' ? [o] : []));
      const refused = outcomes.flatMap((o) => (o.kind === 'refused' ? [o] : []));
      for (const w of written.filter((x) => x.renumbered > 0)) {
        say(io, `${w.chip}: ${counted(w.renumbered, 'run')} moved to a new seq because an earlier-dated run arrived since the last export`);
      }
      for (const r of refused) say(io, `${r.reason}.`);
      const runs = written.reduce((n, w) => n + w.runs, 0);
      say(io, `wrote ${counted(written.length, 'chip history', 'chip histories')} (${counted(runs, 'run')}) to ${outDir}`);
      if (flags.json) {
        const files = written.map((w) => w.file);
        printJson(io, { chips: written.length, runs, renumbered: written.reduce((n, w) => n + w.renumbered, 0), files, refused: refused.map((r) => r.chip) });
      }
    } finally {
      manifest.close();
    }
  });
};
