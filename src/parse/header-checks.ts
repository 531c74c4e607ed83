// Header values that parse but cannot be right, or that do not parse where a run's identity needs them: said as warnings.
import type { InstrumentHeader } from './instrument-header.js';

/** Start times before this are a clock never set (or seconds read as milliseconds). */
const EARLIEST_START = Date.UTC(1990, 0, 1);
const DAY_MS = 86_400_000;

/**
 * Warnings for a header: a key given twice (and which value won), a chip number that is not a whole number or is
 * negative, a start time before 1990 or more than a day after `now`.
 */
export function headerWarnings(header: InstrumentHeader, startTimeUtc: Date | null, now: Date | undefined): string[] {
  const warnings: string[] = [];
  for (const { key, values } of header.repeated) {
    const won = header.parameters.get(key) ?? header.metadata.get(key);
    warnings.push(`'${key}' is given ${values.length} times (${values.map((v) => `'${v}'`).join(', ')}); '${won}' won`);
  }
  const chip = header.parameters.get('Chip number')?.trim();
  if (chip !== undefined && chip !== '' && !/^\d+$/.test(chip)) {
    const why = /^-\d+$/.test(chip) ? 'a negative chip number' : 'not a whole number';
    warnings.push(`'Chip number: ${chip}' is ${why}; the chip number is unknown (the text is kept here)`);
  }
  if (startTimeUtc) {
    const ms = startTimeUtc.getTime();
    if (ms < EARLIEST_START) warnings.push(`the start time ${startTimeUtc.toISOString()} is before 1990: is the instrument's clock set?`);
    if (now && ms > now.getTime() + DAY_MS) warnings.push(`the start time ${startTimeUtc.toISOString()} is more than a day in the future`);
  }
  return warnings;
}
