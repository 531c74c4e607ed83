// Every extractor behind one door: what a declared metric reads, its unit and method, and its value for a run.
import type { MetricDeclaration } from '../../schema/metric-declarations.js';
import { analyseCnp, cnpAnalysisKey, cnpMetric } from './cnp.js';
import { laserPowerMetric, type CalibrationRun } from './laser-power.js';
import { analysePhotoresponse, photoresponseAnalysisKey, photoresponseMetric } from './photoresponse.js';
import { analyseRelaxation, relaxationAnalysisKey, relaxationMetric } from './relaxation.js';
import type { MetricOutcome, RunInput } from './run-input.js';
import { analyseTransconductance, transconductanceAnalysisKey, transconductanceMetric } from './transconductance.js';

/** What the extractors need beyond the run itself: the calibration runs of a procedure, for laser power. */
export interface DeriveContext {
  calibrations(procedure: string): readonly CalibrationRun[];
}

/** The unit a canonical column name ends with (`i_a` -> A, `vds_v` -> V); null when it names none. */
function unitOfColumn(column: string): string | null {
  const suffix = /_([a-z]+)$/.exec(column)?.[1];
  return ({ a: 'A', v: 'V', w: 'W', s: 's', ohm: 'ohm' } as Record<string, string>)[suffix ?? ''] ?? null;
}

/** The unit of a metric's value and the name of the method that computes it, as stored beside every value. */
export function metricUnitAndMethod(d: MetricDeclaration): { readonly unit: string | null; readonly method: string } {
  switch (d.extractor) {
    case 'cnp':
      if (d.value === 'resistance') return { unit: 'ohm', method: d.signal.kind === 'current' ? 'drain_voltage_over_vertex_current' : 'vertex_voltage_over_drain_current' };
      if (d.value === 'hysteresis') return { unit: 'V', method: 'backward_minus_forward_vertex' };
      return { unit: 'V', method: 'parabola_vertex_per_direction' };
    case 'transconductance':
      return { unit: 'S', method: 'savitzky_golay_peak_gm' };
    case 'photoresponse':
      return d.value === 'delta' ? { unit: unitOfColumn(d.signal), method: 'last_minus_first_lit_sample' } : { unit: null, method: 'lit_mean_over_dark_mean_minus_one' };
    case 'relaxation':
      return { unit: d.value === 'tau' ? 's' : null, method: 'stretched_exponential_fit' };
    case 'laser_power':
      return { unit: 'W', method: 'nearest_calibration_interpolation' };
  }
}

/** The data columns of the run's own file that a metric reads (none for laser power, which reads the manifest). */
export function dataColumnsOf(d: MetricDeclaration): readonly string[] {
  switch (d.extractor) {
    case 'cnp':
      return [d.gate, d.signal.column];
    case 'transconductance':
      return [d.gate, d.current];
    case 'photoresponse':
      return [d.signal, d.light];
    case 'relaxation':
      return [d.time, d.signal, d.light];
    case 'laser_power':
      return [];
  }
}

/**
 * The outcome of each declared metric for one run. Metrics that differ only in which value they report (the
 * forward and backward CNP) share one analysis of the run. An extractor that throws gives that metric the flag
 * EXTRACTOR_ERROR rather than stopping the run or the stage.
 */
export function runMetrics(run: RunInput, declarations: readonly MetricDeclaration[], context: DeriveContext): MetricOutcome[] {
  const analyses = new Map<string, unknown>();
  const shared = <T>(key: string, analyse: () => T): T => {
    if (!analyses.has(key)) analyses.set(key, analyse());
    return analyses.get(key) as T;
  };
  return declarations.map((d) => {
    try {
      switch (d.extractor) {
        case 'cnp':
          return cnpMetric(shared(cnpAnalysisKey(d), () => analyseCnp(run, d)), d, run);
        case 'transconductance':
          return transconductanceMetric(shared(transconductanceAnalysisKey(d), () => analyseTransconductance(run, d)), d);
        case 'photoresponse':
          return photoresponseMetric(shared(photoresponseAnalysisKey(d), () => analysePhotoresponse(run, d)), d);
        case 'relaxation':
          return relaxationMetric(shared(relaxationAnalysisKey(d), () => analyseRelaxation(run, d)), d);
        case 'laser_power':
          return laserPowerMetric(run, d, context.calibrations(d.calibration));
      }
    } catch (error) {
      return { kind: 'value', value: null, confidence: null, flags: ['EXTRACTOR_ERROR'], details: { error: error instanceof Error ? error.message : String(error) } };
    }
  });
}
