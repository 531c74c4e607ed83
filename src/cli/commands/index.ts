// Every CLI command, one module each, loaded only when its command runs (so `strata history` never loads
// exceljs or pg). main.ts registers them in this order; the key is the command's name.
import type { RegisterCommand } from '../io.js';

/** Each command: the line `strata --help` shows (so help loads no command module), and its module. */
export interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<RegisterCommand>;
}

export const commands: Readonly<Record<string, CommandEntry>> = {
  'demo': { summary: "Generate a realistic lab corpus, stage it and build chip histories (no server needed).", load: async () => (await import('./demo.js')).registerDemo },
  'stage': { summary: "Stage raw instrument CSVs into a partitioned Parquet lake with a manifest.", load: async () => (await import('./stage.js')).registerStage },
  'infer-schema': { summary: "Propose a procedures YAML from the headers and first rows of raw files.", load: async () => (await import('./infer-schema.js')).registerInferSchema },
  'ingest': { summary: "Check landed files (name, period, headers) and record them in meta.ingestion_log.", load: async () => (await import('./ingest.js')).registerIngest },
  'validate': { summary: "Cast landed files to their dataset types; write cleaned Parquet and rejects.", load: async () => (await import('./validate.js')).registerValidate },
  'load': { summary: "Replace one period of a dataset in the stage database, atomically.", load: async () => (await import('./load.js')).registerLoad },
  'transform': { summary: "Run a dataset's transform SQL for one period (stage -> core).", load: async () => (await import('./transform.js')).registerTransform },
  'publish': { summary: "Run a dataset's publish SQL for one period (core -> mart).", load: async () => (await import('./publish.js')).registerPublish },
  'record': { summary: "Append a moved file to the processed-files log.", load: async () => (await import('./record.js')).registerRecord },
  'bronze-path': { summary: "Print the bronze path a raw file moves to.", load: async () => (await import('./bronze-path.js')).registerBronzePath },
  'sample': { summary: "Write same-format samples of the files in the processed-files log.", load: async () => (await import('./sample.js')).registerSample },
  'validate-manifest': { summary: "Check the manifest and the lake against each other; exit 1 on findings.", load: async () => (await import('./validate-manifest.js')).registerValidateManifest },
  'history': { summary: "Print or export one chip's history (every run, all days), from the manifest.", load: async () => (await import('./history.js')).registerHistory },
  'histories': { summary: "Write <Group><Number>_history.csv for every chip.", load: async () => (await import('./histories.js')).registerHistories },
  'inspect-manifest': { summary: "Filter and print manifest rows.", load: async () => (await import('./inspect-manifest.js')).registerInspectManifest },
  'export-metadata': { summary: "Write day-level metadata.csv files from the manifest.", load: async () => (await import('./export-metadata.js')).registerExportMetadata },
  'pipeline': { summary: "Stage data/01_raw, then write data/03_history, in one go.", load: async () => (await import('./pipeline.js')).registerPipeline },
  'query': { summary: "Run DuckDB SQL over the lake: the runs view and one view per procedure.", load: async () => (await import('./query.js')).registerQuery },
  'derive': { summary: "Compute per-run metrics (CNP, photoresponse, relaxation, laser power...) into metrics.parquet.", load: async () => (await import('./derive.js')).registerDerive },
  'parity': { summary: "Compare strata's histories with the Python system's files, in plain words.", load: async () => (await import('./parity.js')).registerParity },
  'serve': { summary: "Browse runs, chip histories and curves in a local web page.", load: async () => (await import('./serve.js')).registerServe },
};

/** The Python system's command names (design docs 001 s.7, 002 Phase 5), each another name of a strata command. */
export const commandAliases: Readonly<Record<string, string>> = {
  'stage-all': 'stage',
  'build-history': 'history',
  'chip-histories': 'history',
  'build-all-histories': 'histories',
  'full-pipeline': 'pipeline',
};
