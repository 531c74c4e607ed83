// The parts every generated run is made of: header entries written as PyMeasure writes them, and common choices.
import type { DeviceModel } from './lab-measurement-series.js';
import { pythonG, remembered } from './python-number-format.js';
import type { Random } from './seeded-random.js';

/** `%g` text of a header number; the lab uses few distinct settings, so each is formatted once. */
const headerNumber = remembered(pythonG);

export interface LabChip {
  readonly group: string;
  readonly number: number;
}

/** One `#\tName: value` header line; `attr` is the Python attribute PyMeasure sorts the lines by. */
export interface HeaderEntry {
  readonly attr: string;
  readonly name: string;
  readonly value: string;
}

export interface LabRunContext {
  readonly random: Random;
  /** The chip under test, or null for procedures that measure no chip (LaserCalibration, Pt). */
  readonly chip: LabChip | null;
  readonly device: DeviceModel;
  /** Data rows wanted; sweeps round to a whole number of voltage steps. */
  readonly rows: number;
}

export interface LabRunBody {
  readonly parameters: readonly HeaderEntry[];
  /** Metadata besides `Start time`, which the renderer adds. */
  readonly metadata: readonly HeaderEntry[];
  readonly columns: readonly string[];
  /** Data lines without line ends. */
  readonly lines: readonly string[];
  /** The last value of the time column, for procedures that have one; else null. */
  readonly durationS: number | null;
  /** How long the run took on the bench: where the file's mtime lands after its start time. */
  readonly elapsedS: number;
}

/** `VDS: 0.1 V`: a number as `%g`, then its unit. */
export function quantity(attr: string, name: string, value: number, unit: string): HeaderEntry {
  return { attr, name, value: `${headerNumber(value)} ${unit}` };
}

/** `Laser wavelength: 455`, `NPLC: 1`: a number without a unit. */
export function plain(attr: string, name: string, value: number): HeaderEntry {
  return { attr, name, value: headerNumber(value) };
}

export function text(attr: string, name: string, value: string): HeaderEntry {
  return { attr, name, value };
}

/** PyMeasure writes parameters sorted by attribute name, capitals first (`Irange`, `NPLC`, `T_start_t`, `chip_group`...). */
export function inFileOrder(entries: readonly HeaderEntry[]): HeaderEntry[] {
  return [...entries].sort((a, b) => (a.attr < b.attr ? -1 : a.attr > b.attr ? 1 : 0));
}

export function chipEntries(context: LabRunContext, information: readonly string[], version: string): HeaderEntry[] {
  const chip = context.chip ?? { group: 'other', number: 1 };
  const { random } = context;
  return [
    text('chip_group', 'Chip group name', chip.group),
    plain('chip_number', 'Chip number', chip.number),
    text('sample', 'Sample', random.chance(0.85) ? 'other' : random.pick(['A', 'B', 'C', 'D'])),
    text('info', 'Information', random.pick(information)),
    text('procedure_version', 'Procedure version', version),
  ];
}

/** Wavelengths of the lab's LEDs, weighted as they are used. */
export function laserWavelength(random: Random): number {
  return Number(random.weighted({ '365': 70, '385': 20, '405': 20, '455': 180, '505': 2, '565': 40, '590': 2, '625': 4, '680': 2, '850': 4 }));
}

/** A laser drive voltage with two decimals, or 0 for a dark run. */
export function laserVoltage(random: Random, darkChance: number): number {
  return random.chance(darkChance) ? 0 : Math.round(random.between(0.2, 5) * 100) / 100;
}

export function gateVoltage(random: Random): number {
  return random.chance(0.6) ? random.pick([-5, -3, -2, -1, -0.4, 0, 0.2, 3, 5]) : Math.round(random.between(-6, 1) * 100) / 100;
}

export function keithleyEntries(random: Random): HeaderEntry[] {
  return [quantity('Irange', 'Irange', random.chance(0.7) ? 0.001 : 0.0001, 'A'), plain('NPLC', 'NPLC', 1)];
}

export function laserEntries(wavelength: number, voltage: number): HeaderEntry[] {
  return [plain('laser_wl', 'Laser wavelength', wavelength), quantity('laser_v', 'Laser voltage', voltage, 'V')];
}

export function temperatureEntries(initialC: number, targetC: number, stepStartS: number): HeaderEntry[] {
  return [
    quantity('initial_T', 'Initial (current) T', initialC, 'C'),
    quantity('target_T', 'Target T', targetC, 'C'),
    quantity('T_start_t', 'T step start time', stepStartS, 's'),
  ];
}

export const SENSOR_COLUMNS = ['Plate T (degC)', 'Ambient T (degC)', 'Clock (ms)'] as const;
