// `strata derive`: per-run metrics (CNP, transconductance, photoresponse, relaxation, laser power) from the lake.
import path from 'node:path';
import { deriveMetrics, type DeriveSummary } from '../../derive/derive-metrics.js';
import { flagWords } from '../../derive/flag-words.js';
import { writeEnrichedHistories, type EnrichedHistories } from '../../history/enriched-histories.js';
import { counted } from '../../progress/counted.js';
import { stageRootOf } from '../stage-root.js';
import { loadProcedureCatalog } from '../../schema/procedures-schema.js';
import { extractionVersion } from '../../version.js';
import { printJson, progressFor, say, type CliIo, type RegisterCommand } from '../io.js';
import { manifestFlags, withManifestOptions, type ManifestFlags } from '../manifest-options.js';
import { jsonOption, proceduresYamlOf, proceduresYamlOption } from '../shared-options.js';

interface DeriveFlags extends ManifestFlags {
  readonly stageRoot?: string;
  readonly derivedRoot: string;
  readonly proceduresYaml?: string;
  readonly force?: boolean;
  readonly histories: boolean;
  readonly extractionVersion?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export const DEFAULT_DERIVED_ROOT = path.join('data', '03_derived');

function report(io: CliIo, summary: DeriveSummary, histories: EnrichedHistories | null): void {
  const { computed, unchanged, values, missing } = summary;
  if (computed === 0 && !summary.written) say(io, `nothing to derive: the metrics of all ${counted(summary.runs, 'run')} are up to date (${summary.layout.metricsFile})`);
  else {
    const kept = unchanged > 0 ? `, ${counted(unchanged, 'run')} unchanged` : '';
    const dropped = summary.dropped > 0 ? `, ${counted(summary.dropped, 'run or metric', 'runs or metrics')} dropped (gone from the manifest or the YAML)` : '';
    say(io, `derived the metrics of ${counted(computed, 'run')}${kept}${dropped}: ${counted(values, 'value')}, ${counted(missing, 'metric')} without a value`);
    for (const m of summary.missingByFlag.slice(0, 8)) {
      say(io, `  ${counted(m.metrics, 'metric')} without a value: ${flagWords(m.flag)} (${m.flag}; e.g. ${m.example.metric} of ${m.example.sourceFile})`);
    }
    say(io, `wrote ${summary.layout.metricsFile}`);
  }
  if (histories !== null) {
    for (const s of histories.skipped) say(io, `no enriched history for ${s.chip}: ${s.reason}`);
    if (histories.written.length > 0) say(io, `wrote ${counted(histories.written.length, 'enriched chip history', 'enriched chip histories')} to ${summary.layout.historiesDir}${histories.unchanged > 0 ? ` (${histories.unchanged} unchanged)` : ''}`);
  }
}

export const registerDerive: RegisterCommand = (program, { io }) => {
  const command = program
    .command('derive')
    .description(
      'Compute per-run metrics from the staged lake into <derived-root>/_metrics/metrics.parquet (one row per run and metric), as the ' +
        "procedures YAML declares them under each procedure's metrics:, and write each chip's enriched history (its history with one " +
        'column per metric) to <derived-root>/chip_histories_enriched/. Only new or restaged runs, and metrics whose declaration changed, are computed again.',
    )
    .option('--stage-root <dir>', 'the lake the runs\' data files are under (default: found beside the manifest)')
    .option('--derived-root <dir>', 'where metrics and enriched histories go', DEFAULT_DERIVED_ROOT)
    .addOption(proceduresYamlOption('that declares the metrics'))
    .option('--force', 'compute every run\'s metrics again')
    .option('--no-histories', 'do not write the enriched chip histories')
    .option('--extraction-version <version>', 'recorded in each row computed now (default: strata\'s version)')
    .addOption(jsonOption())
    .option('--quiet', 'no progress, no messages');
  withManifestOptions(command).action(async (flags: DeriveFlags) => {
    const { file, localTz } = await manifestFlags(io, flags);
    const stageRoot = stageRootOf(io, flags.stageRoot, file);
    const catalog = loadProcedureCatalog(proceduresYamlOf(io, flags));
    const summary = await deriveMetrics({
      manifestFile: file,
      stageRoot,
      derivedRoot: path.resolve(io.cwd, flags.derivedRoot),
      catalog,
      force: flags.force ?? false,
      extractionVersion: flags.extractionVersion ?? extractionVersion(),
      progress: progressFor(io, { quiet: flags.quiet || flags.json }),
    });
    const metricNames = [...new Set([...catalog.procedures.values()].flatMap((p) => p.metrics.map((m) => m.name)))];
    const histories = flags.histories
      ? await writeEnrichedHistories({ manifestFile: file, metricsFile: summary.layout.metricsFile, stageRoot, outDir: summary.layout.historiesDir, localTz, metricNames })
      : null;
    if (!flags.quiet && !flags.json) report(io, summary, histories);
    if (flags.json) {
      printJson(io, {
        runs: summary.runs,
        computed: summary.computed,
        unchanged: summary.unchanged,
        dropped: summary.dropped,
        values: summary.values,
        missing: summary.missing,
        missingByFlag: summary.missingByFlag,
        written: summary.written,
        metrics: summary.layout.metricsFile,
        histories: histories === null ? null : { written: histories.written.length, unchanged: histories.unchanged, skipped: histories.skipped.length, dir: summary.layout.historiesDir },
        seconds: summary.seconds,
      });
    }
  });
};
