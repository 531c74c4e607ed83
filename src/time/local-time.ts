// Time zones: the one module that imports luxon. Local calendar dates and wall-clock times, DST-correct.
import { createRequire } from 'node:module';
import type * as Luxon from 'luxon';

// luxon is loaded when first needed (a text time to read, a wall-clock time to write): a stage worker whose files
// give Unix seconds never pays for loading it.
const require = createRequire(import.meta.url);
let loaded: typeof Luxon | undefined;
const luxon = () => (loaded ??= require('luxon') as typeof Luxon);


const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Instants are looked up by the quarter hour they fall in: zones' offsets and changes keep to quarter hours. */
const QUARTER_HOUR_MS = 15 * 60 * 1000;
/** `zone|quarter` -> the date all of that quarter hour has there (the runs of a lab fall on few of them). */
const quarterDates = new Map<string, string>();

/**
 * The calendar date (`YYYY-MM-DD`) of an instant in `zone`, from the runtime's own time-zone data through one
 * formatter per zone (luxon's DateTime here spent a stage run's time in offset look-ups). A quarter hour whose
 * first and last millisecond have the same date has it throughout and is remembered (a formatter call is dear
 * when made for every file); one that does not (an offset like LMT's -4:42:46) is not.
 */
export function localDate(instant: Date, zone: string): string {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) return '';
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  const key = `${zone}|${quarter}`;
  const known = quarterDates.get(key);
  if (known !== undefined) return known;
  const first = formatDate(quarter * QUARTER_HOUR_MS, zone);
  if (first !== formatDate((quarter + 1) * QUARTER_HOUR_MS - 1, zone)) return formatDate(ms, zone);
  if (quarterDates.size >= 100_000) quarterDates.clear();
  quarterDates.set(key, first);
  return first;
}

function formatDate(ms: number, zone: string): string {
  let format = dateFormats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', era: 'short' });
    dateFormats.set(zone, format);
  }
  let year = '';
  let month = '';
  let day = '';
  let bc = false;
  for (const part of format.formatToParts(ms)) {
    if (part.type === 'year') year = part.value;
    else if (part.type === 'month') month = part.value;
    else if (part.type === 'day') day = part.value;
    else if (part.type === 'era') bc = part.value.startsWith('B');
  }
  // ISO years: 1 BC is year 0; four digits, signed with six beyond 0000-9999 (as toISODate writes them).
  const n = bc ? 1 - Number(year) : Number(year);
  const iso = n >= 0 && n <= 9999 ? String(n).padStart(4, '0') : `${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(6, '0')}`;
  return `${iso}-${month}-${day}`;
}

/** The wall-clock time (`HH:MM:SS`) of an instant in `zone`. */
export function localTime(instant: Date, zone: string): string {
  return luxon().DateTime.fromJSDate(instant, { zone }).toFormat('HH:mm:ss');
}

/**
 * Parses ISO-8601 text; a time without an offset is wall-clock time in `zone` (see readIsoInstant).
 * Returns null when the text is not ISO-8601.
 */
export function parseIsoInstant(text: string, zone: string): Date | null {
  return readIsoInstant(text, zone)?.instant ?? null;
}

/**
 * An ISO-8601 time read as an instant. A wall-clock time (no offset) that the zone's clocks skipped when they
 * moved forward is a `gap`, read as the same time on the clocks after the change (`00:30` in a gap from 00:00 to
 * 01:00 is read as `01:30`); one that the clocks showed twice when they moved back is an `overlap`, read as the
 * first. Both are what Python's zoneinfo and JavaScript's Temporal do by default; the caller says so.
 */
export type IsoReading =
  | { readonly kind: 'exact'; readonly instant: Date }
  | { readonly kind: 'gap'; readonly instant: Date }
  | { readonly kind: 'overlap'; readonly instant: Date; readonly later: Date };

/** A date, then `T` or one space, then a time: ISO-8601 as Python's `str(datetime)` writes it (`2025-10-22 12:00:00`). */
const SPACE_FOR_T = /^(\d{4}-\d{2}-\d{2}) (?=\d{2}:)/;
/** A time that ends in an offset or `Z`: then the text names its instant, whatever the zone. */
const HAS_OFFSET = /T.*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/;
const DAY_MS = 86_400_000;

export function readIsoInstant(text: string, zone: string): IsoReading | null {
  const iso = text.trim().replace(SPACE_FOR_T, '$1T');
  const { DateTime } = luxon();
  if (HAS_OFFSET.test(iso)) {
    const parsed = DateTime.fromISO(iso, { zone, setZone: false });
    return parsed.isValid ? { kind: 'exact', instant: parsed.toJSDate() } : null;
  }
  // A wall-clock time: its instants are the wall time less each offset the zone has around it that gives it back.
  const wall = DateTime.fromISO(iso, { zone: 'utc' });
  if (!wall.isValid) return null;
  const wallMs = wall.toMillis();
  const before = offsetMs(wallMs - DAY_MS, zone);
  const after = offsetMs(wallMs + DAY_MS, zone);
  const instants = [...new Set([wallMs - before, wallMs - after])].filter((ms) => offsetMs(ms, zone) === wallMs - ms).sort((a, b) => a - b);
  const [first, second] = instants;
  if (first === undefined) return { kind: 'gap', instant: new Date(wallMs - before) };
  if (second === undefined) return { kind: 'exact', instant: new Date(first) };
  return { kind: 'overlap', instant: new Date(first), later: new Date(second) };
}

/** The zone's offset from UTC at an instant, in milliseconds (-3 h is -10,800,000). */
function offsetMs(ms: number, zone: string): number {
  return luxon().IANAZone.create(zone).offset(ms) * 60_000;
}

/** An instant as ISO-8601 wall-clock time in `zone`, with its offset: `2025-09-07T01:30:00-03:00`. */
export function zonedIso(instant: Date, zone: string): string {
  return luxon().DateTime.fromJSDate(instant, { zone }).toISO({ suppressMilliseconds: true }) ?? instant.toISOString();
}

/** `YYYY-MM-DDTHH:MM:SSZ`, the form run ids are built from (fractions of a second dropped). */
export function utcSecondIso(instant: Date): string {
  return instant.toISOString().slice(0, 19) + 'Z';
}
