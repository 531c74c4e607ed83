// `strata histories --out-dir D`: one `<Group><Number>_history.csv` per chip with enough runs.
import path from 'node:path';
import { allChipHistories } from '../../history/chip-history.js';
import { writeHistoriesFolder } from '../../history/histories-folder.js';
import { openManifest } from '../../history/manifest-query.js';
import { integerOption } from '../parse-option.js';
import { printJson, say } from '../io.js';
import { manifestFlags, withManifestOptions, type ManifestFlags } from '../manifest-options.js';
import type { RegisterCommand } from './index.js';
import { counted } from '../../progress/counted.js';

interface HistoriesFlags extends ManifestFlags {
  readonly outDir: string;
  readonly minExperiments: number;
  readonly group?: string;
  readonly json?: boolean;
}

export const registerHistories: RegisterCommand = (program, { io }) => {
  const command = program
    .command('histories')
    .description('Write one <Group><Number>_history.csv per chip (reads the manifest only; seq as in `strata history`).')
    .requiredOption('--out-dir <dir>', 'folder for the history files')
    .option('--min-experiments <n>', 'only chips with at least this many runs', integerOption(1, 1_000_000), 1)
    .option('--group <name>', 'only chips of this group')
    .option('--json', 'print a JSON summary as the last line');
  withManifestOptions(command).action(async (flags: HistoriesFlags) => {
    const { file, localTz } = manifestFlags(io, flags);
    const manifest = await openManifest(file);
    try {
      const histories = await allChipHistories(manifest, { group: flags.group, minExperiments: flags.minExperiments, localTz });
      const written = writeHistoriesFolder(histories, path.resolve(io.cwd, flags.outDir));
      for (const w of written.filter((x) => x.renumbered > 0)) {
        say(io, `${w.chip}: ${counted(w.renumbered, 'run')} moved to a new seq because an earlier-dated run arrived since the last export`);
      }
      const runs = written.reduce((n, w) => n + w.runs, 0);
      say(io, `wrote ${counted(written.length, 'chip history', 'chip histories')} (${counted(runs, 'run')}) to ${path.resolve(io.cwd, flags.outDir)}`);
      if (flags.json) {
        printJson(io, { chips: written.length, runs, renumbered: written.reduce((n, w) => n + w.renumbered, 0), files: written.map((w) => w.file) });
      }
    } finally {
      manifest.close();
    }
  });
};
