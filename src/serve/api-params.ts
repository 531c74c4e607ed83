// What the API reads from a URL's query: each value checked against what it must be, or a 400 with a sentence.
import { isSafeName } from '../fs/safe-name.js';
import { isCalendarDate } from '../time/calendar-date.js';
import type { RunFilter } from '../history/manifest-query.js';

/** A query value that is not what the route needs; the router answers it with a 400 and this sentence. */
export class BadParameter extends Error {}

/** A chip's runs as the page filters them: the manifest's run filter, the chip being the one named in the path. */
export type RunFilters = Omit<RunFilter, 'chip'>;

export interface Paging {
  readonly offset: number;
  readonly limit: number;
}

const MAX_PAGE = 1000;

function text(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}

/** A real calendar day as YYYY-MM-DD (2025-13-45 is not one). */
export function dateParam(query: URLSearchParams, name: string): string | undefined {
  const value = text(query, name);
  if (value === undefined) return undefined;
  if (!isCalendarDate(value)) throw new BadParameter(`${name} must be a calendar date YYYY-MM-DD, got '${value}'.`);
  return value;
}

/** A chip group or procedure name: the one rule for names (letters, digits, `_ . + -`); it is only ever bound. */
function nameParam(query: URLSearchParams, name: string, what: string): string | undefined {
  const value = text(query, name);
  if (value !== undefined && !isSafeName(value)) throw new BadParameter(`${name} must be ${what} (letters, digits, '_', '.', '+' or '-'), got '${value}'.`);
  return value;
}

export function procParam(query: URLSearchParams): string | undefined {
  return nameParam(query, 'proc', 'a procedure name such as It');
}

function groupParam(query: URLSearchParams): string | undefined {
  return nameParam(query, 'group', 'a chip group name');
}

export function parseFilters(query: URLSearchParams): RunFilters {
  const light = text(query, 'light');
  if (light !== undefined && light !== 'yes' && light !== 'no') throw new BadParameter(`light must be yes or no, got '${light}'.`);
  const from = dateParam(query, 'from');
  const to = dateParam(query, 'to');
  if (from !== undefined && to !== undefined && from > to) throw new BadParameter(`from (${from}) is after to (${to}).`);
  return { group: groupParam(query), proc: procParam(query), light: light === undefined ? undefined : light === 'yes', from, to };
}

export function numberParam(query: URLSearchParams, name: string): number | undefined {
  const value = text(query, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new BadParameter(`${name} must be a number, got '${value}'.`);
  return number;
}

export function wholeParam(query: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const value = numberParam(query, name) ?? fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadParameter(`${name} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, got '${query.get(name)}'.`);
  }
  return value;
}

/** `offset` and `limit` of a list that comes a page at a time. */
export function pagingParams(query: URLSearchParams, defaultLimit = 100): Paging {
  return { offset: wholeParam(query, 'offset', 0, Number.MAX_SAFE_INTEGER, 0), limit: wholeParam(query, 'limit', 1, MAX_PAGE, defaultLimit) };
}

/** Text to look for in run summaries: any characters (it is bound, never spliced), up to 200 of them. */
export function searchText(query: URLSearchParams): string | undefined {
  const value = text(query, 'text')?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length > 200) throw new BadParameter('text must be at most 200 characters.');
  return value;
}
