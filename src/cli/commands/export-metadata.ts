// `strata export-metadata --out-dir D`: the day-level metadata.csv files, generated from the manifest.
import path from 'node:path';
import { openManifest } from '../../history/manifest-query.js';
import { exportDayMetadata } from '../../history/metadata-export.js';
import { dateOption } from '../parse-option.js';
import { printJson, say, type RegisterCommand } from '../io.js';
import { manifestFlags, withManifestOptions, type ManifestFlags } from '../manifest-options.js';
import { counted } from '../../progress/counted.js';
import { jsonOption } from '../shared-options.js';

interface ExportFlags extends ManifestFlags {
  readonly outDir: string;
  readonly date?: string;
  readonly json?: boolean;
}

export const registerExportMetadata: RegisterCommand = (program, { io }) => {
  const command = program
    .command('export-metadata')
    .description('Write <out-dir>/<YYYY-MM-DD>/metadata.csv per local day from the manifest (a view for people, never an input).')
    .requiredOption('--out-dir <dir>', 'folder for the day folders')
    .option('--date <YYYY-MM-DD>', 'only this local day', dateOption)
    .addOption(jsonOption());
  withManifestOptions(command).action(async (flags: ExportFlags) => {
    const { file, localTz } = await manifestFlags(io, flags);
    const manifest = await openManifest(file);
    try {
      const outDir = path.resolve(io.cwd, flags.outDir);
      const exported = await exportDayMetadata(manifest, { outDir, date: flags.date, localTz });
      const days = exported.flatMap((d) => (d.kind === 'written' ? [d] : []));
      const refused = exported.flatMap((d) => (d.kind === 'refused' ? [d] : []));
      for (const r of refused) say(io, `${r.reason}.`);
      const runs = days.reduce((n, d) => n + d.runs, 0);
      say(io, exported.length === 0 ? `no runs${flags.date ? ` on ${flags.date}` : ''} in ${file}` : `wrote ${counted(days.length, 'metadata.csv file')}, ${counted(runs, 'run')}, under ${outDir}`);
      if (flags.json) printJson(io, { days: days.length, runs, files: days.map((d) => d.file), refused_days: refused.map((d) => d.date) });
    } finally {
      manifest.close();
    }
  });
};
