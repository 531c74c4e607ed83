// strata as a library: the public API, re-exports only. The CLI (src/cli) is a thin shell over exactly these.

// Staging: raw instrument files -> partitioned Parquet lake + manifest
export { loadStagingConfig, type StagingConfig, type StagingConfigSources } from './config/staging-config.js';
export { stageRawFiles, type StageSummary, type StageOptions } from './pipeline/stage-raw-files.js';
export { runLabPipeline, labLayout, type LabLayout, type PipelineSummary } from './pipeline/run-lab-pipeline.js';
export { discoverRawFiles, type RawFile } from './discover/discover-raw-files.js';
export { parseInstrumentHeader, type InstrumentHeader, type HeaderResult } from './parse/instrument-header.js';
export { rawFormatOf, RAW_FORMATS } from './parse/raw-formats.js';
export type { RawFormat } from './parse/raw-format.js';
export { loadProcedureCatalog, parseProcedureCatalog, type ProcedureCatalog, type ProcedureSpec } from './schema/procedures-schema.js';
export { runId } from './lake/run-id.js';

// The manifest and what is built from it
export { readManifest, writeManifestAtomically } from './lake/manifest-store.js';
export { openLake, type Lake, type LakeState, type ManifestStore } from './lake/lake.js';
export { lakeLayout, type LakeLayout } from './lake/lake-layout.js';
export { validateManifestRows, type ManifestRow } from './lake/manifest-row.js';
export { validateManifest } from './lake/validate-manifest.js';
export { openManifest, type ManifestHandle } from './history/manifest-query.js';
export { chipHistory, allChipHistories, type ChipHistory } from './history/chip-history.js';
export { writeHistoriesFolder } from './history/histories-folder.js';

// The catalog: a lake's state in PostgreSQL (work queue, manifest table, schema versions) for many stagers
export { openCatalog, type Catalog, type CatalogOptions } from './catalog/open-catalog.js';
export { DEFAULT_CATALOG_SCHEMA } from './catalog/catalog-layout.js';
export type { SourceFileVersion, EnqueueResult, QueueStatus } from './catalog/source-queue.js';
export type { Attempt, Claim, ClaimedVersion, ClaimRequest, LeaseRenewal } from './catalog/source-claims.js';
export type { AttemptOutcome, CommitResult } from './catalog/commit-attempts.js';
export type { SchemaVersion, CatalogColumn } from './catalog/procedure-versions.js';
export type { DataFileEntry, OrphanQuery } from './catalog/data-file-sweep.js';
export type { RunsQuery, SnapshotBatch } from './catalog/manifest-reads.js';
export type { WakeReason, WorkListener, WorkListenerOptions } from './catalog/postgres/work-listener.js';

// Where a lake's files live: a folder (local or a shared mount) or S3-compatible storage, behind one interface
export { openLakeStorage, type OpenStorageOptions } from './storage/open-lake-storage.js';
export type { LakeStorage, ObjectInfo, PutIfAbsentOutcome, StoredObject } from './storage/lake-storage.js';
export { parseStorageLocation, type StorageLocation } from './storage/storage-location.js';
export { s3SettingsFromEnvironment, type S3Settings } from './storage/s3/s3-settings.js';

// Derived metrics: per-run metrics declared in the procedures YAML -> metrics.parquet, and enriched chip histories
export { deriveMetrics, type DeriveOptions, type DeriveSummary } from './derive/derive-metrics.js';
export { deriveLayout, type DeriveLayout } from './derive/derive-layout.js';
export { type MetricRow, METRIC_COLUMNS } from './derive/metrics-file.js';
export { type MetricDeclaration } from './schema/metric-declarations.js';
export { writeEnrichedHistories, type EnrichedHistories } from './history/enriched-histories.js';

// Processed-files log and samples
export { appendLogEntry, recordProcessedFile, readLogFrom } from './sample/processed-log.js';
export { bronzePathFor } from './sample/bronze-path.js';
export { runSampler } from './sample/run-sampler.js';

// Landed files -> cleaned Parquet (the landed flow), then loading periods into a stage database
export { loadDatasetRules, parseDatasetRules } from './landed/dataset-rules.js';
export { datasetsLayout, type DatasetsLayout } from './landed/datasets-layout.js';
export { ingestFiles } from './landed/ingest.js';
export { validateFiles } from './landed/validate-file.js';
export { loadPeriod } from './load/load-period.js';
export { stageLog } from './load/stage-log.js';
export { openStageDatabase, parseStageDatabaseUrl } from './load/open-stage-database.js';

// Generated lab corpora, for demos and tests
export { generateLabCorpus, type GeneratedCorpus } from './demo/generate-lab-corpus.js';

export { silentProgress, type Progress } from './progress/progress.js';
export { StrataError } from './errors.js';
