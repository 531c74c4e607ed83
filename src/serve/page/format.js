// strata serve: numbers for people: engineering prefixes (µA, nA, mV), tick labels that never repeat, dates.

const PREFIX = new Map([[-15, 'f'], [-12, 'p'], [-9, 'n'], [-6, 'µ'], [-3, 'm'], [0, ''], [3, 'k'], [6, 'M'], [9, 'G'], [12, 'T']]);
/** Units that take an SI prefix; others (°C, nm, ms, none) are shown as they are, scaled by a power of ten if need be. */
const PREFIXABLE = new Set(['A', 'V', 'W', 's', 'Ω', 'Hz', 'F', 'S']);
const UNIT_NAMES = new Map([['degC', '°C'], ['degc', '°C'], ['C', '°C'], ['ohm', 'Ω'], ['Ohm', 'Ω'], ['ohms', 'Ω']]);

/** The unit as a person writes it: degC -> °C, ohm -> Ω. */
export function displayUnit(unit) {
  if (unit === null || unit === undefined || unit === '') return '';
  return UNIT_NAMES.get(unit) ?? unit;
}

/** The power of ten, a multiple of 3 from -15 to 12, that puts |value| in [1, 1000). */
export function engineeringExponent(value) {
  const v = Math.abs(value);
  if (!Number.isFinite(v) || v === 0) return 0;
  return Math.max(-15, Math.min(12, Math.floor(Math.log10(v) / 3 + 1e-9) * 3));
}

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };
const superscript = (n) => String(n).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);

/** How a scale of values is written: the unit with its prefix (µA), or ×10⁻⁶ before a unit that takes none. */
export function scaledUnit(exponent, unit) {
  const shown = displayUnit(unit);
  if (exponent === 0) return shown;
  if (PREFIXABLE.has(shown)) return `${PREFIX.get(exponent)}${shown}`;
  return `×10${superscript(exponent)}${shown ? ` ${shown}` : ''}`;
}

/** A number with `decimals` places, a true minus sign, and no "-0". */
export function fixed(value, decimals) {
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text.replace('-', '−');
}

/**
 * One value for a readout: about four significant digits with its prefixed unit (13.63 µA, −1.25 V).
 * Never rounds a small current to 0.
 */
export function formatQuantity(value, unit, digits = 4) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const exponent = engineeringExponent(value);
  const scaled = value / 10 ** exponent;
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(scaled) || 1)));
  const text = fixed(scaled, decimals).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  const u = scaledUnit(exponent, unit);
  return u.startsWith('×') ? `${text} ${u}` : u ? `${text} ${u}` : text;
}

/**
 * Tick labels for an axis: the values scaled by one engineering exponent, with as many decimals as the step
 * needs, and more until no two labels are the same. Returns the labels and the axis's unit text (µA).
 */
export function tickLabels(ticks, step, unit) {
  const biggest = ticks.reduce((m, t) => Math.max(m, Math.abs(t)), 0);
  const exponent = engineeringExponent(biggest || step);
  const scale = 10 ** exponent;
  // As many decimals as the step has (a step of 0.025 needs three), then more if two labels still read the same.
  const scaledStep = step / scale;
  let decimals = 0;
  while (decimals < 12 && Math.abs(Math.round(scaledStep * 10 ** decimals) - scaledStep * 10 ** decimals) > 1e-6) decimals += 1;
  let labels = ticks.map((t) => fixed(t / scale, decimals));
  while (new Set(labels).size < labels.length && decimals < 15) {
    decimals += 1;
    labels = ticks.map((t) => fixed(t / scale, decimals));
  }
  return { labels, unit: scaledUnit(exponent, unit) };
}

/** Log-axis labels: each value with its own prefix (10 nA, 100 nA, 1 µA), or as a power of ten without a unit. */
export function logTickLabels(ticks, unit) {
  const shown = displayUnit(unit);
  const labels = ticks.map((t) => {
    const exponent = engineeringExponent(t);
    const mantissa = +(t / 10 ** exponent).toPrecision(3);
    if (PREFIXABLE.has(shown)) return `${mantissa} ${PREFIX.get(exponent)}${shown}`;
    return exponent === 0 ? String(mantissa) : `${mantissa}×10${superscript(exponent)}`;
  });
  return { labels, unit: PREFIXABLE.has(shown) ? '' : shown };
}

/** An axis title: `I (µA)`, or the label alone. */
export function axisTitle(label, unitText) {
  return unitText ? `${label} (${unitText})` : label;
}

/** A wall-clock time encoded as UTC milliseconds (the API's local times), as `2025-10-14 13:05`. */
export function formatLocalMs(ms, withTime = true) {
  if (!Number.isFinite(ms)) return '';
  const iso = new Date(ms).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

/** `2025-10-14` and `13:05:09` (a run's local date and time) as UTC milliseconds; midnight without a time. */
export function localMs(date, time) {
  const [y, m, d] = String(date).split('-').map(Number);
  const [hh, mm, ss] = String(time || '00:00:00').split(':').map(Number);
  return Date.UTC(y, (m || 1) - 1, d || 1, hh || 0, mm || 0, ss || 0);
}

/** A count with thousands separators. */
export const count = (n) => Number(n).toLocaleString('en-US');
