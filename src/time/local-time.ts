// Time zones: the one module that imports luxon. Local calendar dates and wall-clock times, DST-correct.
import { DateTime } from 'luxon';


/** The calendar date (`YYYY-MM-DD`) of an instant in `zone`. */
export function localDate(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate() ?? '';
}

/** The wall-clock time (`HH:MM:SS`) of an instant in `zone`. */
export function localTime(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toFormat('HH:mm:ss');
}

/**
 * Parses ISO-8601 text; a time without an offset is wall-clock time in `zone`.
 * Returns null when the text is not ISO-8601.
 */
export function parseIsoInstant(text: string, zone: string): Date | null {
  const parsed = DateTime.fromISO(text.trim(), { zone, setZone: false });
  return parsed.isValid ? parsed.toJSDate() : null;
}

/** `YYYY-MM-DDTHH:MM:SSZ`, the form run ids are built from (fractions of a second dropped). */
export function utcSecondIso(instant: Date): string {
  return instant.toISOString().slice(0, 19) + 'Z';
}
