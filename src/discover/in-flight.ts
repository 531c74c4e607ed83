// In-flight files: names that say a file is still being written, so it is never sampled, moved or staged.
import path from 'node:path';

export const DEFAULT_IN_FLIGHT_PREFIXES = ['temp_'] as const;

/** True when the file's own name (not its folders) starts with one of `prefixes`. */
export function isInFlightFile(fileName: string, prefixes: readonly string[] = DEFAULT_IN_FLIGHT_PREFIXES): boolean {
  const name = path.basename(fileName);
  return prefixes.some((prefix) => prefix !== '' && name.startsWith(prefix));
}
