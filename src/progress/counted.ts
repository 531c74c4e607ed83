// Counts and rates in words for people: "1 row", "2 rows", "1,204 files/s", and no rate that was not measured.

/** `1 row`, `0 rows`, `12,345 rows`; `plural` for nouns that do not take an s (`1 entry`, `2 entries`). */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

/** `1 entry`: as `counted`, without thousands separators, for data files other programs read. */
export function countedPlain(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Shortest run the clock can tell a rate from: below it, or with nothing done, there is no rate to give. */
const MEASURABLE_SECONDS = 0.01;

/**
 * `1,204 files/s`, `3.5 files/s`, `0.02 files/s`; undefined when nothing was done or the time is too short to
 * measure, so a message never says "(0 files/s)" or "(Infinity files/s)".
 */
export function perSecond(n: number, seconds: number, unit: string): string | undefined {
  if (!(n > 0) || !(seconds >= MEASURABLE_SECONDS)) return undefined;
  const rate = n / seconds;
  const text = rate >= 10 ? Math.round(rate).toLocaleString('en-US') : rate >= 1 ? rate.toFixed(1) : rate.toPrecision(1);
  return `${text} ${unit}/s`;
}
