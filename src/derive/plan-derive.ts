// Which runs' metrics to compute, and which rows of the last metrics file stay, from the manifest and the last state.
import type { MetricDeclaration } from '../schema/metric-declarations.js';
import { declarationFingerprint, runKey, type DeriveState } from './derive-state.js';
import type { ManifestRun } from './manifest-runs.js';

export interface RunWork {
  readonly run: ManifestRun;
  readonly metrics: readonly MetricDeclaration[];
}

export interface DerivePlan {
  /** The runs to compute, each with the metrics to compute for it. */
  readonly work: readonly RunWork[];
  /** run_id -> metric names whose rows in the last metrics file stay as they are. */
  readonly keep: ReadonlyMap<string, ReadonlySet<string>>;
  /** The state once the work is done. */
  readonly state: Pick<DeriveState, 'runs' | 'metrics'>;
  /** Runs whose every metric stays. */
  readonly unchanged: number;
  /** Runs (or metrics) the last metrics file has that are gone from the manifest (or the YAML). */
  readonly dropped: number;
  /** Whether the metrics file must be written again: something to compute, to drop, or no trusted state. */
  readonly rewrite: boolean;
}

/** A fingerprint of the runs of one procedure (the calibrations a laser power is read from). */
export function runsFingerprint(runs: readonly ManifestRun[]): string {
  return runs
    .map((r) => `${r.runId}:${runKey(r)}`)
    .sort()
    .join(',');
}

export function planDerive(options: {
  readonly runs: readonly ManifestRun[];
  readonly declarations: ReadonlyMap<string, readonly MetricDeclaration[]>;
  readonly previous: DeriveState | null;
  /** What a laser-power metric's values depend on besides its run: the calibration runs of its procedure. */
  readonly calibrationInputs: (procedure: string) => string;
  readonly force: boolean;
}): DerivePlan {
  const { runs, declarations, previous, force } = options;
  const fingerprints: Record<string, Record<string, string>> = {};
  for (const [proc, ds] of declarations) {
    fingerprints[proc] = Object.fromEntries(ds.map((d) => [d.name, declarationFingerprint(d, d.extractor === 'laser_power' ? options.calibrationInputs(d.calibration) : '')]));
  }
  const work: RunWork[] = [];
  const keep = new Map<string, Set<string>>();
  const runKeys: Record<string, string> = {};
  let unchanged = 0;
  for (const run of runs) {
    const ds = declarations.get(run.proc);
    if (ds === undefined || ds.length === 0) continue;
    const key = runKey(run);
    runKeys[run.runId] = key;
    const same = !force && previous !== null && previous.runs[run.runId] === key;
    const before = previous?.metrics[run.proc] ?? {};
    const todo = same ? ds.filter((d) => before[d.name] !== fingerprints[run.proc]![d.name]) : ds;
    if (todo.length > 0) work.push({ run, metrics: todo });
    else unchanged++;
    if (same && todo.length < ds.length) keep.set(run.runId, new Set(ds.filter((d) => !todo.includes(d)).map((d) => d.name)));
  }
  const current = new Set(Object.keys(runKeys));
  const droppedRuns = previous === null ? 0 : Object.keys(previous.runs).filter((id) => !current.has(id)).length;
  const droppedMetrics =
    previous === null ? 0 : Object.entries(previous.metrics).reduce((n, [proc, ms]) => n + Object.keys(ms).filter((m) => fingerprints[proc]?.[m] === undefined).length, 0);
  return {
    work,
    keep,
    state: { runs: runKeys, metrics: fingerprints },
    unchanged,
    dropped: droppedRuns + droppedMetrics,
    rewrite: previous === null || work.length > 0 || droppedRuns + droppedMetrics > 0,
  };
}
