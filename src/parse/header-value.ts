// Casts header text to its declared type: units after a number are stripped (`0.001 A` -> 0.001, `100ms` -> 100).
import type { ValueType } from '../schema/procedures-schema.js';
import { parseIsoInstant } from '../time/local-time.js';

export type HeaderValue = number | string | boolean | Date | null;
export type CastResult = { readonly ok: true; readonly value: HeaderValue } | { readonly ok: false; readonly expected: string };

// A number, then optionally a unit made of letters, symbols and spaces: `0.001 A`, `25 C`, `455`, `100ms`, `1e-3 A/V`.
const NUMBER_WITH_UNIT = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([^\d\s][^\d]*)?$/;
const NAN = /^[+-]?nan$/i;
/** How yes and no are written, in headers and in data columns alike. */
export const TRUE_WORDS: ReadonlySet<string> = new Set(['1', 'true', 'yes', 'on', 'y', 't']);
export const FALSE_WORDS: ReadonlySet<string> = new Set(['0', 'false', 'no', 'off', 'n', 'f']);

export function castHeaderValue(text: string, type: ValueType, zone: string): CastResult {
  const trimmed = text.trim();
  // `None` is Python's null, written as text by the instrument's software.
  if (trimmed === '' || trimmed === 'None' || NAN.test(trimmed)) return { ok: true, value: null };
  switch (type) {
    case 'str':
      return { ok: true, value: trimmed };
    case 'float':
    case 'int': {
      const number = numberOf(trimmed);
      if (number === undefined) return { ok: false, expected: 'a number (optionally followed by a unit)' };
      if (type === 'int' && !Number.isInteger(number)) return { ok: false, expected: 'a whole number' };
      return { ok: true, value: number };
    }
    case 'bool': {
      const lower = trimmed.toLowerCase();
      if (TRUE_WORDS.has(lower)) return { ok: true, value: true };
      if (FALSE_WORDS.has(lower)) return { ok: true, value: false };
      return { ok: false, expected: 'yes/no, true/false or 1/0' };
    }
    case 'datetime': {
      const instant = parseInstant(trimmed, zone);
      return instant ? { ok: true, value: instant } : { ok: false, expected: 'Unix seconds or an ISO-8601 time' };
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
  const trimmed = text.trim();
  if (/^[+-]?\d+(\.\d+)?$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return Number.isFinite(seconds) ? new Date(Math.round(seconds * 1000)) : null;
  }
  return parseIsoInstant(trimmed, zone);
}
