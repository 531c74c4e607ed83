// The procedures the generator can write: their PyMeasure class, whether they measure a chip, how to build a run.
import type { LabRunBody, LabRunContext } from './lab-run-parts.js';
import { currentVersusDrain, currentVersusGate, laserCalibration, voltageVersusGate } from './lab-sweep-files.js';
import { currentVersusTime, powerVersusTime, temperatureVersusTime, voltageVersusTime } from './lab-time-series-files.js';

/** Every procedure the generator writes: the four of the real corpus first, then the related ones. */
export const LAB_PROCEDURES = ['It', 'IVg', 'IV', 'LaserCalibration', 'ITt', 'IVgT', 'Vt', 'VVg', 'It2', 'Tt', 'Pt'] as const;
export type LabProcedure = (typeof LAB_PROCEDURES)[number];

export interface LabFileTemplate {
  readonly proc: LabProcedure;
  /** What the `#Procedure:` line names. */
  readonly procedureClass: string;
  /** False for procedures with no chip on the stage (LaserCalibration and Pt point the laser at a power meter). */
  readonly measuresChip: boolean;
  /** How often a lab runs it, relative to the others. */
  readonly weight: number;
  readonly build: (context: LabRunContext) => LabRunBody;
}

function template(proc: LabProcedure, weight: number, build: LabFileTemplate['build'], measuresChip = true): LabFileTemplate {
  return { proc, procedureClass: `<laser_setup.procedures.${proc}.${proc}>`, measuresChip, weight, build };
}

export const LAB_FILE_TEMPLATES: Readonly<Record<LabProcedure, LabFileTemplate>> = {
  It: template('It', 40, (c) => currentVersusTime(c, 'It')),
  IVg: template('IVg', 32, (c) => currentVersusGate(c, 'IVg')),
  IV: template('IV', 2, currentVersusDrain),
  LaserCalibration: template('LaserCalibration', 5, laserCalibration, false),
  ITt: template('ITt', 4, (c) => currentVersusTime(c, 'ITt')),
  IVgT: template('IVgT', 3, (c) => currentVersusGate(c, 'IVgT')),
  Vt: template('Vt', 3, voltageVersusTime),
  VVg: template('VVg', 3, voltageVersusGate),
  It2: template('It2', 3, (c) => currentVersusTime(c, 'It2')),
  Tt: template('Tt', 2, temperatureVersusTime),
  Pt: template('Pt', 3, powerVersusTime, false),
};

/**
 * Other spellings of the instrument's column names, as other scripts and older setups write them. The shipped
 * procedures YAML must recognise every one of them (the tests check).
 */
export const COLUMN_SPELLINGS: Readonly<Record<string, readonly string[]>> = {
  't (s)': ['time', 'Time (s)', 't(s)'],
  'Time (s)': ['time', 't (s)'],
  'I (A)': ['Id (A)', 'Ids (A)', 'I(A)', 'current'],
  'I1 (A)': ['I1(A)', 'Id1 (A)'],
  'I2 (A)': ['I2(A)', 'Id2 (A)'],
  'Vg (V)': ['VG(V)', 'Vgs (V)', 'vg'],
  'Vsd (V)': ['VSD(V)', 'Vds (V)'],
  'VDS (V)': ['Vds (V)', 'Vd (V)'],
  'VL (V)': ['VL(V)', 'Vl (V)', 'laser_v'],
  'Power (W)': ['P (W)', 'power'],
  'P (W)': ['Power (W)', 'power'],
  'Plate T (degC)': ['Plate T(degC)', 'plate_t'],
  'Ambient T (degC)': ['Ambient T(degC)', 'ambient_t'],
  'Clock (ms)': ['clock', 'Clock(ms)'],
  'Plate Temperature (degC)': ['Plate T (degC)', 'plate_temperature'],
  'Ambient Temperature (degC)': ['Ambient T (degC)', 'ambient_temperature'],
  Clock: ['Clock (ms)', 'clock_ms'],
};
