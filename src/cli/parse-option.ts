// Parsers for flag values: a bad value is a usage error (exit 2) with one clear line.
import { InvalidArgumentError } from 'commander';
import { isCalendarDate } from '../time/calendar-date.js';

export function integerOption(min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got '${text}'.`);
    }
    return value;
  };
}

export function numberOption(min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min) {
      throw new InvalidArgumentError(`expected a number of at least ${min}, got '${text}'.`);
    }
    return value;
  };
}

export function choiceOption<T extends string>(choices: readonly T[]) {
  return (text: string): T => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got '${text}'.`);
    }
    return text as T;
  };
}

export function dateOption(text: string): string {
  if (!isCalendarDate(text)) {
    throw new InvalidArgumentError(`expected a calendar date as YYYY-MM-DD, got '${text}'.`);
  }
  return text;
}
