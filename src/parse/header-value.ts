// Casts header text to its declared type: units after a number are stripped (`0.001 A` -> 0.001, `100ms` -> 100).
import type { ValueType } from '../schema/procedures-schema.js';
import { readIsoInstant, zonedIso } from '../time/local-time.js';
import { isNullWord, isOutOfDoubleRange, yesNo } from './cell-words.js';

export type HeaderValue = number | string | boolean | Date | null;
export type CastResult =
  | { readonly ok: true; readonly value: HeaderValue; /** How a time was read, when it needed a choice (said as a warning). */ readonly note?: string }
  | { readonly ok: false; readonly expected: string };

// A number, then optionally a unit made of letters, symbols and spaces: `0.001 A`, `25 C`, `455`, `100ms`, `1e-3 A/V`.
const NUMBER_WITH_UNIT = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([^\d\s][^\d]*)?$/;

export function castHeaderValue(text: string, type: ValueType, zone: string): CastResult {
  const trimmed = text.trim();
  if (isNullWord(trimmed)) return { ok: true, value: null };
  switch (type) {
    case 'str':
      return { ok: true, value: trimmed };
    case 'float':
    case 'int': {
      const match = NUMBER_WITH_UNIT.exec(trimmed);
      const number = match ? Number(match[1]) : undefined;
      if (number === undefined) return { ok: false, expected: 'a number (optionally followed by a unit)' };
      if (isOutOfDoubleRange(match?.[1] ?? '', number)) return { ok: false, expected: 'a number a 64-bit float can hold (it is too large or too close to zero)' };
      if (type === 'int' && !Number.isInteger(number)) return { ok: false, expected: 'a whole number' };
      return { ok: true, value: number };
    }
    case 'bool': {
      const value = yesNo(trimmed);
      return value === undefined ? { ok: false, expected: 'yes/no, true/false, on/off or 1/0' } : { ok: true, value };
    }
    case 'datetime': {
      const reading = readInstant(trimmed, zone);
      if (!reading.ok) return { ok: false, expected: 'Unix seconds or an ISO-8601 time' };
      return reading.note === undefined ? { ok: true, value: reading.instant } : { ok: true, value: reading.instant, note: reading.note };
    }
  }
}

export function numberOf(text: string): number | undefined {
  const match = NUMBER_WITH_UNIT.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}

/** Unix seconds (`1757019355.7333555`) or ISO-8601; an ISO time without offset is wall-clock time in `zone`. */
export function parseInstant(text: string, zone: string): Date | null {
  const reading = readInstant(text, zone);
  return reading.ok ? reading.instant : null;
}

/**
 * A time as read, and what was decided to read it, as a clause to put after the text (`'Start time: ...' is ...`):
 * a number too large to be Unix seconds is read as milliseconds (or micro-, nanoseconds), and a wall-clock time
 * the zone skipped or showed twice is read as readIsoInstant says.
 */
export type InstantReading = { readonly ok: true; readonly instant: Date; readonly note?: string } | { readonly ok: false; readonly found: string };

/** Above this many Unix seconds (the year 5138) a number is taken for a finer unit: epoch milliseconds, then micro, nano. */
const MAX_SECONDS = 1e11;
const FINER_UNITS = [
  { per: 1e3, name: 'milliseconds' },
  { per: 1e6, name: 'microseconds' },
  { per: 1e9, name: 'nanoseconds' },
] as const;

export function readInstant(text: string, zone: string): InstantReading {
  const trimmed = text.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(trimmed)) {
    const seconds = Number(trimmed);
    if (Math.abs(seconds) < MAX_SECONDS) return { ok: true, instant: new Date(Math.round(seconds * 1000)) };
    const unit = FINER_UNITS.find((u) => Math.abs(seconds / u.per) < MAX_SECONDS);
    if (unit === undefined) return { ok: false, found: 'a number too large for epoch seconds, milliseconds, microseconds or nanoseconds' };
    const instant = new Date(Math.round((seconds / unit.per) * 1000));
    return { ok: true, instant, note: `is too large for Unix seconds (the year ${yearOf(seconds)}); read as epoch ${unit.name}, ${instant.toISOString()}` };
  }
  const iso = readIsoInstant(trimmed, zone);
  if (iso === null) return { ok: false, found: 'neither Unix seconds nor an ISO-8601 time' };
  switch (iso.kind) {
    case 'exact':
      return { ok: true, instant: iso.instant };
    case 'gap':
      return {
        ok: true,
        instant: iso.instant,
        note: `is a wall-clock time that ${zone} skipped when its clocks moved forward; read as the time after the change, ${zonedIso(iso.instant, zone)}`,
      };
    case 'overlap':
      return {
        ok: true,
        instant: iso.instant,
        note: `is a wall-clock time that ${zone} showed twice when its clocks moved back; read as the first, ${zonedIso(iso.instant, zone)}, not ${zonedIso(iso.later, zone)}`,
      };
  }
}

/** The calendar year of that many Unix seconds, for a sentence (approximate past the range a Date holds). */
function yearOf(seconds: number): string {
  return String(Math.round(1970 + seconds / 31_556_952));
}
