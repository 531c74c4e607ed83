// Casts header text to its declared type: units after a number are stripped (`0.001 A` -> 0.001, `100ms` -> 100).
import type { ValueType } from '../schema/procedures-schema.js';
import { parseIsoInstant } from '../time/local-time.js';
import { isNullWord, yesNo } from './cell-words.js';

export type HeaderValue = number | string | boolean | Date | null;
export type CastResult = { readonly ok: true; readonly value: HeaderValue } | { readonly ok: false; readonly expected: string };

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
      const number = numberOf(trimmed);
      if (number === undefined) return { ok: false, expected: 'a number (optionally followed by a unit)' };
      if (type === 'int' && !Number.isInteger(number)) return { ok: false, expected: 'a whole number' };
      return { ok: true, value: number };
    }
    case 'bool': {
      const value = yesNo(trimmed);
      return value === undefined ? { ok: false, expected: 'yes/no, true/false, on/off or 1/0' } : { ok: true, value };
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
