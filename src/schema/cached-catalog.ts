// The procedures catalog as a stage run loads it: from a compiled copy keyed by the YAML's SHA-1 when there is one
// (no YAML parser, no zod), else parsed and checked, then kept for the next run.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configError } from '../errors.js';
import { writeFileAtomically } from '../lake/atomic-file.js';
import { packageVersion } from '../version.js';
import type { ProcedureCatalog } from './procedures-schema.js';

// Maps survive JSON as { "__map": [[key, value]...] }.
const replacer = (_key: string, value: unknown) => (value instanceof Map ? { __map: [...value] } : value);
const reviver = (_key: string, value: unknown) =>
  value !== null && typeof value === 'object' && '__map' in value ? new Map((value as { __map: [unknown, unknown][] }).__map) : value;

/**
 * Loads `file`, using `<cacheDir>/catalog-<sha1>.json` when its key (the YAML's bytes and strata's version)
 * matches; a miss parses the YAML (measured: ~0.2 s of module loading, parsing and checking the shipped file).
 */
export async function loadCachedCatalog(file: string, cacheDir: string): Promise<ProcedureCatalog> {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    throw configError(`cannot read the procedures YAML ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, { file });
  }
  const key = createHash('sha1').update(text).update(`\0${file}\0${packageVersion()}`).digest('hex').slice(0, 16);
  const cached = path.join(cacheDir, `catalog-${key}.json`);
  try {
    return JSON.parse(readFileSync(cached, 'utf8'), reviver) as ProcedureCatalog;
  } catch {
    // no compiled copy yet (or an unreadable one): parse the YAML
  }
  const { parseProcedureCatalog } = await import('./procedures-schema.js');
  const catalog = parseProcedureCatalog(text.toString('utf8'), file);
  try {
    writeFileAtomically(cached, JSON.stringify(catalog, replacer));
  } catch {
    // a read-only lake: parse again next time
  }
  return catalog;
}
