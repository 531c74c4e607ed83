// Numbers written the way the lab's Python software writes them: repr() in data rows, %g in header values.

/** Python's `repr(float)`: shortest round-trip digits, `1.0` not `1`, `4.5e-05` not `0.000045`, `nan`. */
export function pythonFloat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const magnitude = Math.abs(x);
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const text = String(x);
    return text.includes('.') ? text : `${text}.0`;
  }
  return pythonExponent(x.toExponential());
}

/** Python's `'%g' % x` (6 significant digits, trailing zeros dropped), as PyMeasure writes parameter values. */
export function pythonG(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const [mantissa = '', exponentText = '0'] = x.toExponential(5).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) return pythonExponent(`${trimZeros(mantissa)}e${exponentText}`);
  return String(Number(x.toPrecision(6)));
}

/**
 * `x` rounded to `digits` significant digits, as an instrument reports it. Dividing the rounded integer by an
 * exact power of ten yields the double nearest the decimal, so pythonFloat prints exactly those digits.
 */
export function roundSignificant(x: number, digits: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const power = digits - 1 - Math.floor(Math.log10(Math.abs(x)));
  if (power < 0 || power > 22) return Number(x.toPrecision(digits));
  const scale = 10 ** power;
  return (Math.sign(x) * Math.round(Math.abs(x) * scale)) / scale;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * Python's repr of `x` rounded to `digits` (<= 15) significant digits, built from the integer mantissa: the same
 * text as pythonFloat(roundSignificant(x, digits)), several times faster, which matters for corpora of many files.
 */
export function formatSignificant(x: number, digits: number): string {
  const magnitude = Math.abs(x);
  if (x === 0 || !Number.isFinite(x) || magnitude < 1e-300 || digits > 15) return pythonFloat(roundSignificant(x, digits));
  let exponent = Math.floor(Math.log10(magnitude));
  let mantissa = scaledRound(magnitude, digits - 1 - exponent);
  if (mantissa >= (POWERS_OF_TEN[digits] as number)) mantissa = scaledRound(magnitude, digits - 1 - ++exponent);
  else if (mantissa < (POWERS_OF_TEN[digits - 1] as number)) mantissa = scaledRound(magnitude, digits - 1 - --exponent);
  let figuresCount = digits;
  while (figuresCount > 1 && mantissa % 10 === 0) {
    mantissa /= 10;
    figuresCount--;
  }
  const figures = String(mantissa);
  if (figures.length !== figuresCount) return pythonFloat(roundSignificant(x, digits));
  const sign = x < 0 ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const mantissaText = figuresCount > 1 ? `${figures[0]}.${figures.slice(1)}` : figures;
    return `${sign}${mantissaText}e${exponent < 0 ? '-' : '+'}${exponent > -10 && exponent < 10 ? '0' : ''}${Math.abs(exponent)}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${figures}`;
  if (figuresCount <= exponent + 1) return `${sign}${figures}${'0'.repeat(exponent + 1 - figuresCount)}.0`;
  return `${sign}${figures.slice(0, exponent + 1)}.${figures.slice(exponent + 1)}`;
}

/** Python's repr of `x` rounded to `decimals` (1..15) places, like `round(x, 2)`: `25.0`, `25.03`. */
export function formatDecimals(x: number, decimals: number): string {
  let scaled = Math.round(Math.abs(x) * (POWERS_OF_TEN[decimals] as number));
  if (scaled === 0) return x < 0 || Object.is(x, -0) ? '-0.0' : '0.0';
  if (scaled >= 1e15) return pythonFloat(Math.round(x * (POWERS_OF_TEN[decimals] as number)) / (POWERS_OF_TEN[decimals] as number));
  let places = decimals;
  while (places > 1 && scaled % 10 === 0) {
    scaled /= 10;
    places--;
  }
  const figures = String(scaled).padStart(places + 1, '0');
  const fraction = places === 1 && figures.endsWith('0') && scaled % 10 === 0 ? '0' : figures.slice(-places);
  return `${x < 0 ? '-' : ''}${figures.slice(0, -places)}.${fraction}`;
}

function scaledRound(magnitude: number, power: number): number {
  return power >= 0 ? Math.round(magnitude * (POWERS_OF_TEN[power] ?? 10 ** power)) : Math.round(magnitude / (POWERS_OF_TEN[-power] ?? 10 ** -power));
}

/**
 * `format` remembering its results, for values that recur across files (sweep voltages, header settings):
 * formatting doubles is the generator's main cost, and these take a handful of distinct values. Memory is bounded.
 */
export function remembered(format: (x: number) => string): (x: number) => string {
  const texts = new Map<number, string>();
  return (x) => {
    let text = texts.get(x);
    if (text === undefined) {
      if (texts.size >= 20_000) texts.clear();
      text = format(x);
      texts.set(x, text);
    }
    return text;
  };
}

/** pythonFloat for recurring values: sweep voltages. */
export const pythonFloatRecurring = remembered(pythonFloat);

/** JS `4.5e-5` -> Python `4.5e-05`: at least two exponent digits, always signed. */
function pythonExponent(text: string): string {
  const [mantissa = '', exponent = '0'] = text.split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

function trimZeros(mantissa: string): string {
  return mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
}
