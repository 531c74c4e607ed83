// Checks a time zone name against the IANA database the runtime ships (Intl), without loading luxon.
import { configError } from '../errors.js';

/** The runtime's canonical zone names, listed once (cheaper than making a formatter for the zone to check it). */
let canonical: ReadonlySet<string> | undefined;

export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  canonical ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonical.has(zone)) return true;
  // Not canonical: an alias (`US/Eastern`, `UTC`), or no zone at all.
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The lab's zone unless told otherwise (CONTRACT.md). */
export const DEFAULT_LOCAL_TZ = 'America/Santiago';
export const LOCAL_TZ_HELP = `IANA time zone of the lab, for local dates and times (default ${DEFAULT_LOCAL_TZ}, DST-correct)`;

/** The zone itself when it is a real IANA zone; otherwise a configuration error (exit 2) that says so. */
export function checkTimeZone(zone: string): string {
  if (!isValidTimeZone(zone)) throw configError(`unknown time zone '${zone}': expected an IANA name such as ${DEFAULT_LOCAL_TZ}`);
  return zone;
}
