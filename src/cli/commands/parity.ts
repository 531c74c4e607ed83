// `strata parity`: does strata give the old Python system's answers? Differences in plain words, exit 1 when any remain.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../../errors.js';
import { readLegacyHistories, readLegacyMetadata } from '../../history/legacy-files.js';
import { compareWithLegacy, readStagedRuns, type ParityReport } from '../../history/legacy-parity.js';
import { openManifest } from '../../history/manifest-query.js';
import { printJson, say, type RegisterCommand } from '../io.js';
import { manifestFlags, withManifestOptions, type ManifestFlags } from '../manifest-options.js';
import { jsonOption } from '../shared-options.js';

interface ParityFlags extends ManifestFlags {
  readonly legacyHistories?: string;
  readonly legacyMetadata?: string;
  readonly rawRoot?: string;
  readonly json?: boolean;
}

/** Whether an old path (`raw_data/<day>/<file>`) names a file under the raw root, trying its shorter tails. */
function rawFileFinder(rawRoot: string | undefined): (legacyPath: string) => boolean {
  if (rawRoot === undefined) return () => false;
  return (legacyPath) => {
    const parts = legacyPath.split('/');
    return parts.some((_, i) => existsSync(path.join(rawRoot, ...parts.slice(i))));
  };
}

function tell(say_: (line: string) => void, label: string, report: ParityReport): void {
  const differences = report.findings.filter((f) => f.kind === 'difference');
  const faults = report.findings.filter((f) => f.kind === 'old-fault');
  for (const f of differences) say_(`  differs: ${f.message}`);
  // Runs listed twice come by the dozen (a copied day folder): one line per cause, with a few of the files.
  const twice = new Map<string, string[]>();
  for (const f of faults) {
    if (f.what !== 'listed-twice') say_(`  note: ${f.message}`);
    else twice.set(f.message.slice(f.file.length + 2), [...(twice.get(f.message.slice(f.file.length + 2)) ?? []), f.file]);
  }
  for (const [cause, files] of twice) {
    const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? ` and ${files.length - 3} more` : '');
    say_(`  old system: ${files.length} run(s): ${cause} (${shown})`);
  }
  const absent = report.absent > 0 ? `; ${report.absent} run(s) the old system listed have no raw file here and were not compared` : '';
  say_(`${label}: ${report.compared} run(s) compared, ${differences.length === 0 ? 'no difference' : `${differences.length} difference(s)`}` +
    `${faults.length > 0 ? `, ${faults.length} explained (the old system's faults, headers typed 'other')` : ''}${absent}.`);
}

export const registerParity: RegisterCommand = (program, { io, setExitCode }) => {
  const command = program
    .command('parity')
    .description(
      "Compare what strata staged with the old Python system's chip histories (<Group><N>_history.csv) and per-day metadata.csv files: " +
        'the same runs, in the same order, with the same proc, light, chip and start time. Exit 1 when any difference remains.',
    )
    .option('--legacy-histories <dir>', "folder of the old system's <Group><N>_history.csv files")
    .option('--legacy-metadata <dir>', "folder of the old system's <day>/metadata.csv files")
    .option('--raw-root <dir>', 'the raw files: an old run whose raw file is here but is not staged is a difference (default: runs not staged are not compared)')
    .addOption(jsonOption('the findings'));
  withManifestOptions(command).action(async (flags: ParityFlags) => {
    if (flags.legacyHistories === undefined && flags.legacyMetadata === undefined) throw usageError('give --legacy-histories DIR, --legacy-metadata DIR, or both');
    const { file, localTz } = await manifestFlags(io, flags);
    const rawFileExists = rawFileFinder(flags.rawRoot === undefined ? undefined : path.resolve(io.cwd, flags.rawRoot));
    const manifest = await openManifest(file);
    try {
      const staged = await readStagedRuns(manifest, localTz);
      const reports: Record<string, ParityReport> = {};
      if (flags.legacyHistories !== undefined) {
        const lists = readLegacyHistories(path.resolve(io.cwd, flags.legacyHistories));
        reports['histories'] = compareWithLegacy({ staged, lists, mode: 'histories', rawFileExists });
      }
      if (flags.legacyMetadata !== undefined) {
        const runs = readLegacyMetadata(path.resolve(io.cwd, flags.legacyMetadata));
        reports['metadata'] = compareWithLegacy({ staged, lists: [{ chip: null, file: flags.legacyMetadata, runs }], mode: 'metadata', rawFileExists });
      }
      const differences = Object.values(reports).reduce((n, r) => n + r.findings.filter((f) => f.kind === 'difference').length, 0);
      if (!flags.json) {
        for (const [label, report] of Object.entries(reports)) tell((line) => say(io, line), label === 'histories' ? 'Old chip histories' : 'Old metadata.csv files', report);
      }
      if (flags.json) printJson(io, { ok: differences === 0, differences, manifest: file, ...reports });
      setExitCode(differences === 0 ? 0 : 1);
    } finally {
      manifest.close();
    }
  });
};
