// `strata derive`: per-run metrics from the lake into metrics.parquet, computing only what is new or changed.
import { existsSync } from 'node:fs';
import { Engine, type EngineConnection } from '../engine/duckdb.js';
import { configError } from '../errors.js';
import { silentProgress, type Progress } from '../progress/progress.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import type { MetricDeclaration } from '../schema/metric-declarations.js';
import { readDeriveState, writeDeriveState } from './derive-state.js';
import { deriveLayout, type DeriveLayout } from './derive-layout.js';
import { dataColumnsOf, metricUnitAndMethod, runMetrics } from './extractors/extractor-catalog.js';
import { calibrationCurve, type CalibrationRun } from './extractors/laser-power.js';
import { noValue, type MetricOutcome, type RunInput } from './extractors/run-input.js';
import { readManifestRuns, type ManifestRun } from './manifest-runs.js';
import { writeMetricsFile, type MetricRow } from './metrics-file.js';
import { planDerive, runsFingerprint, type RunWork } from './plan-derive.js';
import { readRunColumns, type RunColumns } from './read-run-columns.js';

export interface DeriveOptions {
  readonly manifestFile: string;
  readonly stageRoot: string;
  /** `data/03_derived`: metrics in `_metrics/`, enriched histories beside. */
  readonly derivedRoot: string;
  readonly catalog: ProcedureCatalog;
  /** Compute every run's metrics again, whatever the last derive computed. */
  readonly force?: boolean;
  /** Recorded in each row computed now (strata's version by default). */
  readonly extractionVersion: string;
  readonly progress?: Progress;
}

/** Metrics without a value, by the flag that says why: how many, and one run to look at. */
export interface MissingValues {
  readonly flag: string;
  readonly metrics: number;
  readonly example: { readonly sourceFile: string; readonly metric: string };
}

export interface DeriveSummary {
  readonly layout: DeriveLayout;
  /** Runs of procedures that declare metrics. */
  readonly runs: number;
  /** Runs whose metrics (some or all) were computed now. */
  readonly computed: number;
  readonly unchanged: number;
  /** Runs or metrics whose rows were dropped: gone from the manifest, or from the YAML. */
  readonly dropped: number;
  /** Rows computed now: with a value, and without one. */
  readonly values: number;
  readonly missing: number;
  readonly missingByFlag: readonly MissingValues[];
  /** Whether metrics.parquet was written (false when nothing changed). */
  readonly written: boolean;
  readonly seconds: number;
}

export async function deriveMetrics(options: DeriveOptions): Promise<DeriveSummary> {
  const started = performance.now();
  if (!existsSync(options.manifestFile)) throw configError(`no manifest at ${options.manifestFile}: stage some runs first, or pass --manifest`, { file: options.manifestFile });
  const layout = deriveLayout(options.derivedRoot);
  const declarations = new Map([...options.catalog.procedures].filter(([, p]) => p.metrics.length > 0).map(([name, p]) => [name, p.metrics] as const));
  const all = [...declarations.values()].flat();
  const calibrationProcs = [...new Set(all.flatMap((d) => (d.extractor === 'laser_power' ? [d.calibration] : [])))];
  const params = [...new Set(all.flatMap(manifestColumnsOf))];
  const engine = await Engine.open(':memory:', { threads: 2 });
  const conn = await engine.connect();
  try {
    const runs = await readManifestRuns(conn, options.manifestFile, [...new Set([...declarations.keys(), ...calibrationProcs])], params);
    const byProc = new Map<string, ManifestRun[]>();
    for (const run of runs) {
      const list = byProc.get(run.proc);
      if (list) list.push(run);
      else byProc.set(run.proc, [run]);
    }
    const previous = options.force ? null : readDeriveState(layout.stateFile, layout.metricsFile);
    const plan = planDerive({ runs, declarations, previous, force: options.force ?? false, calibrationInputs: (proc) => runsFingerprint(byProc.get(proc) ?? []) });
    const rows = plan.rewrite ? await computeWork(conn, options, plan.work, byProc, all) : [];
    if (plan.rewrite) {
      await writeMetricsFile(conn, layout.metricsFile, { keep: plan.keep }, rows);
      writeDeriveState(layout.stateFile, layout.metricsFile, plan.state);
    }
    const missing = rows.filter((r) => r.value_float === null);
    return {
      layout,
      runs: Object.keys(plan.state.runs).length,
      computed: plan.work.length,
      unchanged: plan.unchanged,
      dropped: plan.dropped,
      values: rows.length - missing.length,
      missing: missing.length,
      missingByFlag: missingByFlag(missing, new Map(runs.map((r) => [r.runId, r.sourceFile]))),
      written: plan.rewrite,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    conn.close();
    engine.close();
  }
}

/** The metric rows of the runs to compute: those that need no data file first, then the others a batch of files at a time. */
async function computeWork(
  conn: EngineConnection,
  options: DeriveOptions,
  work: readonly RunWork[],
  byProc: ReadonlyMap<string, readonly ManifestRun[]>,
  declarations: readonly MetricDeclaration[],
): Promise<MetricRow[]> {
  const progress = options.progress ?? silentProgress;
  const needsCalibrations = work.some((w) => w.metrics.some((d) => d.extractor === 'laser_power'));
  const calibrations = needsCalibrations ? await readCalibrations(conn, options, byProc, declarations) : new Map<string, CalibrationRun[]>();
  const context = { calibrations: (proc: string) => calibrations.get(proc) ?? [] };
  const row = rowMaker(options.extractionVersion);
  const rows: MetricRow[] = [];
  const compute = (w: RunWork, read: RunColumns | null) => {
    const outcomes = read?.kind === 'unreadable' ? unreadableOutcomes(w, read, context) : runMetrics(runInput(w.run, read), w.metrics, context);
    outcomes.forEach((outcome, i) => {
      if (outcome.kind === 'value') rows.push(row(w.run, w.metrics[i]!, outcome));
    });
    progress.advance();
  };
  progress.start('deriving metrics', work.length);
  const needData = work.filter((w) => w.metrics.some((d) => dataColumnsOf(d).length > 0));
  const reading = new Set(needData);
  for (const w of work) if (!reading.has(w)) compute(w, null);
  const byRun = new Map(needData.map((w) => [w.run.runId, w]));
  // Runs of one procedure read the same columns, and files in path order sit together on disk.
  const requests = needData
    .map((w) => ({ runId: w.run.runId, path: w.run.path, rows: w.run.rows, columns: [...new Set(w.metrics.flatMap(dataColumnsOf))].sort(), proc: w.run.proc }))
    .sort((a, b) => (a.proc === b.proc ? (a.path < b.path ? -1 : 1) : a.proc < b.proc ? -1 : 1));
  for await (const batch of readRunColumns(conn, options.stageRoot, requests)) {
    for (const [runId, read] of batch) compute(byRun.get(runId)!, read);
  }
  progress.stop();
  return rows;
}

function manifestColumnsOf(d: MetricDeclaration): string[] {
  if (d.extractor === 'laser_power') return [d.laserVoltage, d.wavelength];
  if (d.extractor === 'cnp') return [d.signal.kind === 'current' ? d.signal.drainVoltage : d.signal.drainCurrent];
  return [];
}

/** The calibration runs of each calibration procedure the metrics name, with their curves read. */
async function readCalibrations(
  conn: EngineConnection,
  options: DeriveOptions,
  byProc: ReadonlyMap<string, readonly ManifestRun[]>,
  declarations: readonly MetricDeclaration[],
): Promise<Map<string, CalibrationRun[]>> {
  const out = new Map<string, CalibrationRun[]>();
  for (const d of declarations) {
    if (d.extractor !== 'laser_power' || out.has(d.calibration)) continue;
    const runs = (byProc.get(d.calibration) ?? []).filter((r) => r.startMs !== null);
    const requests = runs.map((r) => ({ runId: r.runId, path: r.path, rows: r.rows, columns: [d.calibrationVoltage, d.calibrationPower] }));
    const curves = new Map<string, CalibrationRun['curve']>();
    for await (const batch of readRunColumns(conn, options.stageRoot, requests)) {
      for (const [runId, read] of batch) curves.set(runId, read.kind === 'read' ? calibrationCurve(read.columns.get(d.calibrationVoltage), read.columns.get(d.calibrationPower)) : null);
    }
    const wavelengthOf = (r: ManifestRun) => {
      const w = r.params[d.wavelength];
      return typeof w === 'number' ? w : null;
    };
    out.set(
      d.calibration,
      runs.map((r) => ({ runId: r.runId, startMs: r.startMs!, wavelength: wavelengthOf(r), curve: curves.get(r.runId) ?? null })),
    );
  }
  return out;
}

function runInput(run: ManifestRun, read: RunColumns | null): RunInput {
  const columns = read?.kind === 'read' ? read.columns : new Map<string, Float64Array>();
  return {
    runId: run.runId,
    proc: run.proc,
    hasLight: run.hasLight,
    startMs: run.startMs,
    manifest: (column) => run.params[column] ?? null,
    column: (name) => columns.get(name),
  };
}

/** A run whose data file cannot be read: its data metrics say why; those that need no file (laser power) are computed. */
function unreadableOutcomes(w: RunWork, read: Extract<RunColumns, { kind: 'unreadable' }>, context: Parameters<typeof runMetrics>[2]): MetricOutcome[] {
  const fromManifest = runMetrics(runInput(w.run, null), w.metrics, context);
  return w.metrics.map((d, i) => (dataColumnsOf(d).length > 0 ? noValue([read.flag], { reason: read.reason }) : fromManifest[i]!));
}

function rowMaker(extractionVersion: string): (run: ManifestRun, d: MetricDeclaration, outcome: Extract<MetricOutcome, { kind: 'value' }>) => MetricRow {
  return (run, d, outcome) => {
    const finite = outcome.value === null || Number.isFinite(outcome.value);
    const flags = finite ? outcome.flags : [...outcome.flags, 'NOT_A_NUMBER'];
    const { unit, method } = metricUnitAndMethod(d);
    return {
      run_id: run.runId,
      chip_group: run.chipGroup,
      chip_number: run.chipNumber,
      proc: run.proc,
      metric_name: d.name,
      value_float: finite ? outcome.value : null,
      unit,
      method,
      extraction_version: extractionVersion,
      confidence: finite && outcome.value !== null ? outcome.confidence : null,
      flags: flags.length > 0 ? flags.join(',') : null,
      value_json: outcome.details === null ? null : JSON.stringify(outcome.details),
    };
  };
}

function missingByFlag(rows: readonly MetricRow[], sourceOf: ReadonlyMap<string, string>): MissingValues[] {
  const byFlag = new Map<string, { metrics: number; example: MissingValues['example'] }>();
  for (const r of rows) {
    const flag = (r.flags ?? 'NO_VALUE').split(',')[0]!;
    const entry = byFlag.get(flag);
    if (entry) entry.metrics++;
    else byFlag.set(flag, { metrics: 1, example: { sourceFile: sourceOf.get(r.run_id) ?? r.run_id, metric: r.metric_name } });
  }
  return [...byFlag].map(([flag, e]) => ({ flag, ...e })).sort((a, b) => b.metrics - a.metrics);
}
