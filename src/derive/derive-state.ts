// What the last `strata derive` computed each run's metrics from, so the next one computes only what changed.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { writeFileAtomically } from '../fs/atomic-file.js';
import type { MetricDeclaration } from '../schema/metric-declarations.js';

/**
 * The version of strata's extractors: raising it (when an algorithm changes what it returns) makes the next
 * derive compute every metric again.
 */
const EXTRACTORS_VERSION = 1;

export interface DeriveState {
  readonly version: 1;
  /** The metrics file these entries describe: trusted only while it is that file (same size and mtime). */
  readonly metricsFile: { readonly size: number; readonly mtimeMs: number };
  /** run_id -> the run's key when its metrics were computed (see `runKey`). */
  readonly runs: Readonly<Record<string, string>>;
  /** procedure -> metric name -> the metric's fingerprint when computed (see `declarationFingerprint`). */
  readonly metrics: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const short = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 16);

/** What changes when a run is staged again: its bytes (SHA-1), when it was staged, and where its data file is. */
export function runKey(run: { readonly sourceSha1: string | null; readonly ingestedMs: number | null; readonly path: string }): string {
  return short(`${run.sourceSha1 ?? ''}|${run.ingestedMs ?? ''}|${run.path}`);
}

/**
 * A metric's declaration in the YAML and the extractors' version, plus for laser power the calibration runs it
 * chooses from (`inputs`): any change to these computes the metric again for every run of its procedure.
 */
export function declarationFingerprint(d: MetricDeclaration, inputs = ''): string {
  return short(`${EXTRACTORS_VERSION}|${JSON.stringify(d)}|${inputs}`);
}

/** The state beside `metricsFile`, or null when there is none, it cannot be read, or the metrics file is not the one it describes. */
export function readDeriveState(stateFile: string, metricsFile: string): DeriveState | null {
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as DeriveState;
    const stat = statSync(metricsFile);
    if (state.version !== 1 || state.metricsFile.size !== stat.size || state.metricsFile.mtimeMs !== stat.mtimeMs) return null;
    return state;
  } catch {
    return null;
  }
}

/** Records the state for the metrics file just written (after it, so a crash between the two only costs a full derive). */
export function writeDeriveState(stateFile: string, metricsFile: string, entries: Pick<DeriveState, 'runs' | 'metrics'>): void {
  const stat = statSync(metricsFile);
  const state: DeriveState = { version: 1, metricsFile: { size: stat.size, mtimeMs: stat.mtimeMs }, ...entries };
  writeFileAtomically(stateFile, `${JSON.stringify(state)}\n`);
}
