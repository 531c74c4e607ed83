// The one-line human description of a run, stored in the manifest's `summary` column.

type RunFields = Readonly<Record<string, unknown>>;

/** A number as a person writes it: -3, 0.1, 455, 1.25e-6 (four significant digits at most). */
function num(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e6) return String(Number(value.toPrecision(4)));
  return value.toExponential(2).replace(/\.?0+e/, 'e');
}

function numberField(run: RunFields, name: string): number | null {
  const value = run[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

type Part = string | null;

const volts = (run: RunFields, label: string, name: string): Part => {
  const v = numberField(run, name);
  return v === null ? null : `${label}=${num(v)}V`;
};

const range = (run: RunFields, label: string, from: string, to: string, unit: string): Part => {
  const a = numberField(run, from);
  const b = numberField(run, to);
  return a === null || b === null ? null : `${label}=${num(a)} to ${num(b)}${unit}`;
};

const wavelength = (run: RunFields): Part => {
  const nm = numberField(run, 'laser_wavelength_nm');
  return run['has_light'] === true && nm !== null ? `λ=${num(nm)}nm` : null;
};

const duration = (run: RunFields): Part => {
  const s = numberField(run, 'duration_s');
  return s === null ? null : `${s >= 10 ? Math.round(s) : num(s)}s`;
};

const temperature = (run: RunFields): Part => {
  const target = numberField(run, 'target_t_c');
  return target === null ? null : `T=${num(target)}°C`;
};

function line(title: string, parts: readonly Part[]): string {
  const present = parts.filter((p): p is string => p !== null);
  return present.length > 0 ? `${title} (${present.join(', ')})` : title;
}

/** Time traces: "Dark" when the laser was off, the wavelength when it was on. */
function timeTrace(run: RunFields, proc: string, parts: readonly Part[]): string {
  const title = run['has_light'] === false ? `Dark ${proc}` : proc;
  return line(title, [...parts, wavelength(run), duration(run)]);
}

const DESCRIBE: Readonly<Record<string, (run: RunFields, proc: string) => string>> = {
  It: (run, proc) => timeTrace(run, proc, [volts(run, 'Vg', 'vg_v')]),
  It2: (run, proc) => timeTrace(run, proc, [volts(run, 'Vg', 'vg_v')]),
  Vt: (run, proc) => timeTrace(run, proc, [volts(run, 'Vg', 'vg_v')]),
  ITt: (run, proc) => timeTrace(run, proc, [volts(run, 'Vg', 'vg_v'), temperature(run)]),
  Tt: (run, proc) => line(proc, [temperature(run), duration(run)]),
  Pt: (run, proc) => line(proc, [nmAlways(run), volts(run, 'VL', 'laser_voltage_v'), duration(run)]),
  IVg: (run, proc) => line(`${proc} sweep`, [range(run, 'Vg', 'vg_start_v', 'vg_end_v', 'V'), wavelength(run)]),
  VVg: (run, proc) => line(`${proc} sweep`, [range(run, 'Vg', 'vg_start_v', 'vg_end_v', 'V'), wavelength(run)]),
  IVgT: (run, proc) => line(`${proc} sweep`, [range(run, 'Vg', 'vg_start_v', 'vg_end_v', 'V'), temperature(run), wavelength(run)]),
  IV: (run, proc) =>
    line(`${proc} sweep`, [range(run, 'Vsd', 'vsd_start_v', 'vsd_end_v', 'V'), volts(run, 'Vg', 'vg_v'), wavelength(run)]),
  LaserCalibration: (run, proc) => laserCalibration(run, proc),
};

function nmAlways(run: RunFields): Part {
  const nm = numberField(run, 'laser_wavelength_nm');
  return nm === null ? null : `λ=${num(nm)}nm`;
}

function laserCalibration(run: RunFields, proc: string): string {
  const nm = numberField(run, 'laser_wavelength_nm');
  const from = numberField(run, 'laser_voltage_start_v');
  const to = numberField(run, 'laser_voltage_end_v');
  return [proc, nm === null ? null : `${num(nm)}nm`, from === null || to === null ? null : `${num(from)}-${num(to)}V`]
    .filter((p) => p !== null)
    .join(' ');
}

/**
 * One line saying what a run was: `It (Vg=-3V, λ=455nm, 120s)`, `Dark It (Vg=-2V, 300s)`,
 * `IVg sweep (Vg=-5 to 5V)`, `LaserCalibration 455nm 0-5V`. Takes manifest fields by name; missing ones are left out.
 */
export function describeRun(run: RunFields): string {
  const proc = typeof run['proc'] === 'string' && run['proc'] !== '' ? run['proc'] : 'run';
  const describe = DESCRIBE[proc];
  if (describe) return describe(run, proc);
  return timeTrace(run, proc, [volts(run, 'Vg', 'vg_v'), volts(run, 'Vds', 'vds_v')]);
}
