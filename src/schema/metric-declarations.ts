// The `metrics:` key of a procedure in the procedures YAML: each derived metric as an extractor and its parameters.
import { z } from 'zod';
import { configError } from '../errors.js';

const EXTRACTORS = ['cnp', 'transconductance', 'photoresponse', 'relaxation', 'laser_power'] as const;

/**
 * The charge-neutrality point of a gate sweep (IVg, VVg): on each full-range leg, the vertex of a parabola fitted
 * around the lowest |current| (a sweep at fixed drain voltage) or the highest |voltage| (at fixed drain current),
 * which is where the channel's resistance peaks.
 */
export interface CnpDeclaration {
  readonly extractor: 'cnp';
  readonly name: string;
  /** The data column of the gate voltage. */
  readonly gate: string;
  /** What was measured: a current at a fixed drain voltage (a manifest column), or a voltage at a fixed drain current. */
  readonly signal:
    | { readonly kind: 'current'; readonly column: string; readonly drainVoltage: string }
    | { readonly kind: 'voltage'; readonly column: string; readonly drainCurrent: string };
  /** The CNP of the forward or backward leg, their mean, backward minus forward, or the resistance at the CNP. */
  readonly value: 'average' | 'forward' | 'backward' | 'hysteresis' | 'resistance';
  /** The fitted window, as a fraction of the leg's points (at least 3 points). */
  readonly window: number;
  /** A leg counts when it covers this fraction of the sweep's whole gate range. */
  readonly fullRange: number;
  /** Above this |backward - forward| (V) the run is flagged HIGH_HYSTERESIS. */
  readonly hysteresisWarnV: number;
}

/** The largest |dI/dVg| on a full-range leg, dI/dVg from a Savitzky-Golay filter. */
export interface TransconductanceDeclaration {
  readonly extractor: 'transconductance';
  readonly name: string;
  readonly gate: string;
  readonly current: string;
  /** Holes: gate voltages below the leg's lowest |I|; electrons: above it; any: both. */
  readonly branch: 'any' | 'holes' | 'electrons';
  readonly direction: 'average' | 'forward' | 'backward';
  /** The filter's window (points, odd) and polynomial order. */
  readonly window: number;
  readonly order: number;
  readonly fullRange: number;
}

/** What the light did to a time trace: the change while lit, or lit over dark minus 1. */
export interface PhotoresponseDeclaration {
  readonly extractor: 'photoresponse';
  readonly name: string;
  readonly signal: string;
  /** The data column of the laser's drive voltage: lit where it is above `thresholdV`. */
  readonly light: string;
  readonly thresholdV: number;
  /** Fewer lit or dark samples than this: no value. */
  readonly minSamples: number;
  readonly value: 'delta' | 'ratio';
}

/** A stretched exponential fitted to the longest dark stretch after the light goes off. */
export interface RelaxationDeclaration {
  readonly extractor: 'relaxation';
  readonly name: string;
  readonly time: string;
  readonly signal: string;
  readonly light: string;
  readonly thresholdV: number;
  /** A shorter dark stretch (seconds, or points) is not fitted. */
  readonly minDurationS: number;
  readonly minPoints: number;
  readonly value: 'tau' | 'beta';
}

/** The optical power of a lit run: its laser voltage on the curve of the nearest calibration at its wavelength. */
export interface LaserPowerDeclaration {
  readonly extractor: 'laser_power';
  readonly name: string;
  /** The procedure of the calibration runs, and their voltage and power data columns. */
  readonly calibration: string;
  readonly calibrationVoltage: string;
  readonly calibrationPower: string;
  /** The run's manifest columns of laser voltage and wavelength (matched exactly to the calibration's). */
  readonly laserVoltage: string;
  readonly wavelength: string;
  /** A calibration older than this (hours) is used, and the value flagged CALIBRATION_STALE. */
  readonly staleHours: number;
}

export type MetricDeclaration = CnpDeclaration | TransconductanceDeclaration | PhotoresponseDeclaration | RelaxationDeclaration | LaserPowerDeclaration;

/** A name strata writes as a column (snake_case); `what` names it in the problem ("a column is snake_case"). */
export const snake = (what: string) => z.string().regex(/^[a-z][a-z0-9_]*$/, `${what} is snake_case`);

const fraction = z.number().gt(0).lte(1);
const column = snake('a column');
const cnp = z.strictObject({
  extractor: z.literal('cnp'),
  gate: column.default('vg_v'),
  current: column.optional(),
  drain_voltage: column.optional(),
  voltage: column.optional(),
  drain_current: column.optional(),
  value: z.enum(['average', 'forward', 'backward', 'hysteresis', 'resistance']).default('average'),
  window: fraction.default(0.01),
  full_range: fraction.default(0.95),
  hysteresis_warn_v: z.number().positive().default(1.0),
});
const transconductance = z.strictObject({
  extractor: z.literal('transconductance'),
  gate: column.default('vg_v'),
  current: column.default('i_a'),
  branch: z.enum(['any', 'holes', 'electrons']).default('any'),
  direction: z.enum(['average', 'forward', 'backward']).default('average'),
  window: z.number().int().min(3).default(9),
  order: z.number().int().min(1).max(6).default(3),
  full_range: fraction.default(0.95),
});
const photoresponse = z.strictObject({
  extractor: z.literal('photoresponse'),
  signal: column,
  light: column.default('vl_v'),
  threshold_v: z.number().default(0.1),
  min_samples: z.number().int().min(1).default(5),
  value: z.enum(['delta', 'ratio']).default('delta'),
});
const relaxation = z.strictObject({
  extractor: z.literal('relaxation'),
  time: column.default('t_s'),
  signal: column.default('i_a'),
  light: column.default('vl_v'),
  threshold_v: z.number().default(0.1),
  min_duration_s: z.number().nonnegative().default(10),
  min_points: z.number().int().min(10).default(50),
  value: z.enum(['tau', 'beta']).default('tau'),
});
const laserPower = z.strictObject({
  extractor: z.literal('laser_power'),
  calibration: z.string().default('LaserCalibration'),
  calibration_voltage: column.default('vl_v'),
  calibration_power: column.default('power_w'),
  laser_voltage: column.default('laser_voltage_v'),
  wavelength: column.default('laser_wavelength_nm'),
  stale_hours: z.number().positive().default(24),
});

/** The columns of an enriched chip history that a metric's column may not take. */
const HISTORY_COLUMN_NAMES = ['seq', 'date_local', 'time_local', 'proc', 'has_light', 'summary', 'file_idx', 'run_id', 'source_file', 'chip_group', 'chip_number', 'start_time_utc', 'parquet_path'];

/** The YAML shape of one procedure's `metrics:`: metric name -> extractor and parameters. */
export const metricsSection = z.record(
  snake('a metric name').refine((name) => !HISTORY_COLUMN_NAMES.includes(name), 'a metric may not be named like a column of the chip histories'),
  z.discriminatedUnion('extractor', [cnp, transconductance, photoresponse, relaxation, laserPower], {
    error: `each metric names its extractor: ${EXTRACTORS.join(', ')}`,
  }),
);

type MetricEntry = z.infer<typeof metricsSection>[string];

/** What a metric may name: the procedure's data and manifest columns, and the data columns of other procedures. */
export interface DeclarationScope {
  readonly file: string;
  readonly procedure: string;
  readonly dataColumns: ReadonlySet<string>;
  readonly manifestColumns: ReadonlySet<string>;
  readonly dataColumnsOf: (procedure: string) => ReadonlySet<string> | undefined;
}

/** The procedure's metrics, typed, in the YAML's order; a column or procedure they name that does not exist is a config error. */
export function metricDeclarations(section: z.infer<typeof metricsSection> | undefined, scope: DeclarationScope): MetricDeclaration[] {
  return Object.entries(section ?? {}).map(([name, entry]) => declaration(name, entry, scope));
}

function declaration(name: string, entry: MetricEntry, scope: DeclarationScope): MetricDeclaration {
  const where = `the procedures YAML ${scope.file}: metric '${name}' of ${scope.procedure}`;
  const data = (col: string) => {
    if (!scope.dataColumns.has(col)) throw configError(`${where} reads data column '${col}', which ${scope.procedure} does not declare under data:`, { file: scope.file });
    return col;
  };
  const manifest = (col: string) => {
    if (!scope.manifestColumns.has(col)) throw configError(`${where} reads manifest column '${col}', which ${scope.procedure} does not map under manifest:`, { file: scope.file });
    return col;
  };
  switch (entry.extractor) {
    case 'cnp': {
      if ((entry.current === undefined) === (entry.voltage === undefined)) {
        throw configError(`${where} needs exactly one of current: (a sweep at fixed drain voltage) or voltage: (at fixed drain current)`, { file: scope.file });
      }
      const signal =
        entry.current !== undefined
          ? { kind: 'current' as const, column: data(entry.current), drainVoltage: manifest(entry.drain_voltage ?? 'vds_v') }
          : { kind: 'voltage' as const, column: data(entry.voltage!), drainCurrent: manifest(entry.drain_current ?? 'ids_a') };
      return { extractor: 'cnp', name, gate: data(entry.gate), signal, value: entry.value, window: entry.window, fullRange: entry.full_range, hysteresisWarnV: entry.hysteresis_warn_v };
    }
    case 'transconductance':
      return { extractor: 'transconductance', name, gate: data(entry.gate), current: data(entry.current), branch: entry.branch, direction: entry.direction, window: entry.window, order: entry.order, fullRange: entry.full_range };
    case 'photoresponse':
      return { extractor: 'photoresponse', name, signal: data(entry.signal), light: data(entry.light), thresholdV: entry.threshold_v, minSamples: entry.min_samples, value: entry.value };
    case 'relaxation':
      return {
        extractor: 'relaxation',
        name,
        time: data(entry.time),
        signal: data(entry.signal),
        light: data(entry.light),
        thresholdV: entry.threshold_v,
        minDurationS: entry.min_duration_s,
        minPoints: entry.min_points,
        value: entry.value,
      };
    case 'laser_power': {
      const calibrationColumns = scope.dataColumnsOf(entry.calibration);
      if (calibrationColumns === undefined) throw configError(`${where} takes its calibration from procedure '${entry.calibration}', which the YAML does not declare`, { file: scope.file });
      for (const col of [entry.calibration_voltage, entry.calibration_power]) {
        if (!calibrationColumns.has(col)) throw configError(`${where} reads '${col}' of ${entry.calibration}, which ${entry.calibration} does not declare under data:`, { file: scope.file });
      }
      return {
        extractor: 'laser_power',
        name,
        calibration: entry.calibration,
        calibrationVoltage: entry.calibration_voltage,
        calibrationPower: entry.calibration_power,
        laserVoltage: manifest(entry.laser_voltage),
        wavelength: manifest(entry.wavelength),
        staleHours: entry.stale_hours,
      };
    }
  }
}
