// strata serve: where an axis puts its ticks: round steps on a linear axis, decades on a log axis, calendar
// steps on a date axis (times are wall-clock times encoded as UTC milliseconds, so UTC arithmetic is local).

/** About `target` ticks at a step of 1, 2, 2.5 or 5 times a power of ten, all inside [min, max]. */
export function linearTicks(min, max, target = 6) {
  if (!(max > min)) return { ticks: [min], step: Math.abs(min) || 1 };
  const raw = (max - min) / Math.max(1, target);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(Math.abs(k * step) < step * 1e-9 ? 0 : k * step);
  return { ticks, step };
}

/** Decades inside [min, max] (min > 0); over fewer than two and a half decades also 2 and 5 times each, under 0.7 of one every digit. */
export function logTicks(min, max, target = 6) {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const decades = Math.log10(max) - Math.log10(min);
  const every = Math.max(1, Math.ceil(decades / target));
  const ticks = [];
  for (let e = lo; e <= hi; e++) {
    const mantissas = decades < 0.7 ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : decades < 2.5 ? [1, 2, 5] : e % every === 0 ? [1] : [];
    for (const m of mantissas) {
      const v = m * 10 ** e;
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
    }
  }
  return { ticks };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Steps of a date axis: [length in ms (about, for months), unit, count]. */
const TIME_STEPS = [
  [SECOND, 's', 1], [5 * SECOND, 's', 5], [15 * SECOND, 's', 15], [30 * SECOND, 's', 30],
  [MINUTE, 'min', 1], [5 * MINUTE, 'min', 5], [15 * MINUTE, 'min', 15], [30 * MINUTE, 'min', 30],
  [HOUR, 'h', 1], [3 * HOUR, 'h', 3], [6 * HOUR, 'h', 6], [12 * HOUR, 'h', 12],
  [DAY, 'd', 1], [2 * DAY, 'd', 2], [7 * DAY, 'd', 7], [14 * DAY, 'd', 14],
  [30 * DAY, 'mo', 1], [91 * DAY, 'mo', 3], [182 * DAY, 'mo', 6], [365 * DAY, 'y', 1], [5 * 365 * DAY, 'y', 5],
];

function floorTo(ms, unit, n) {
  const d = new Date(ms);
  if (unit === 'y') return Date.UTC(Math.floor(d.getUTCFullYear() / n) * n, 0, 1);
  if (unit === 'mo') return Date.UTC(d.getUTCFullYear(), Math.floor(d.getUTCMonth() / n) * n, 1);
  if (unit === 'd' && n === 7) return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - ((d.getUTCDay() + 6) % 7) * DAY; // Mondays
  const size = { s: SECOND, min: MINUTE, h: HOUR, d: DAY }[unit] * n;
  return Math.floor(ms / size) * size;
}

function nextTick(ms, unit, n) {
  const d = new Date(ms);
  if (unit === 'y') return Date.UTC(d.getUTCFullYear() + n, 0, 1);
  if (unit === 'mo') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
  return ms + { s: SECOND, min: MINUTE, h: HOUR, d: DAY }[unit] * n;
}

function timeLabel(ms, unit, showDate) {
  const iso = new Date(ms).toISOString();
  const d = new Date(ms);
  if (unit === 'y') return iso.slice(0, 4);
  if (unit === 'mo') return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  if (unit === 'd') return iso.slice(0, 10);
  const clock = unit === 's' ? iso.slice(11, 19) : iso.slice(11, 16);
  return showDate ? `${iso.slice(5, 10)} ${clock}` : clock;
}

/** About `target` ticks on calendar boundaries (seconds to years, never finer than `minStep` ms), labels that never repeat. */
export function timeTicks(min, max, target = 6, minStep = 0) {
  if (!(max > min)) return { ticks: [min], labels: [timeLabel(min, 'd', true)], step: DAY };
  const raw = Math.max(minStep, (max - min) / Math.max(1, target));
  const [step, unit, n] = TIME_STEPS.find(([s]) => s >= raw) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const ticks = [];
  for (let t = floorTo(min, unit, n); t <= max && ticks.length < 400; t = nextTick(t, unit, n)) if (t >= min) ticks.push(t);
  const days = new Set(ticks.map((t) => Math.floor(t / DAY)));
  const showDate = days.size > 1 || ['s', 'min', 'h'].includes(unit) === false;
  return { ticks, labels: ticks.map((t) => timeLabel(t, unit, showDate)), step };
}
