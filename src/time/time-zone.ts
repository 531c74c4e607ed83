// Checks a time zone name against the IANA database the runtime ships (Intl), without loading luxon.
import { configError } from '../errors.js';

export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The lab's zone unless told otherwise (CONTRACT.md). */
export const DEFAULT_LOCAL_TZ = 'America/Santiago';

/** The zone itself when it is a real IANA zone; otherwise a configuration error (exit 2) that says so. */
export function checkTimeZone(zone: string): string {
  if (!isValidTimeZone(zone)) throw configError(`unknown time zone '${zone}': expected an IANA name such as ${DEFAULT_LOCAL_TZ}`);
  return zone;
}
