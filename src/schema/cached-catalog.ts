// The procedures catalog as a stage run loads it: from a compiled copy keyed by the YAML's SHA-1 when there is one
// (no YAML parser, no zod), else parsed and checked, then kept for the next run.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configError } from '../errors.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { packageVersion } from '../version.js';
import type { ProcedureCatalog } from './procedures-schema.js';

// Maps survive JSON as { "__map": [[key, value]...] }.
const replacer = (_key: string, value: unknown) => (value instanceof Map ? { __map: [...value] } : value);
const reviver = (_key: string, value: unknown) =>
  value !== null && typeof value === 'object' && '__map' in value ? new Map((value as { __map: [unknown, unknown][] }).__map) : value;

/**
 * strata's own cache folder, shared by every lake of this user: `STRATA_CACHE_DIR`, else `$XDG_CACHE_HOME/strata`,
 * else `~/.cache/strata`. It holds compiled catalogs only; deleting it costs one YAML parse.
 */
export function userCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.STRATA_CACHE_DIR) return env.STRATA_CACHE_DIR;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'strata');
}

/**
 * Loads `file`, using `<dir>/catalog-<sha1>.json` from the first of `cacheDirs` that has it, when its key (the
 * YAML's bytes, its path and strata's version) matches; a miss parses the YAML (loading the YAML and zod modules,
 * parsing and checking: the largest part of a short run's start-up) and writes the compiled copy into each of
 * `cacheDirs`.
 */
export async function loadCachedCatalog(file: string, ...cacheDirs: readonly string[]): Promise<ProcedureCatalog> {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    throw configError(`cannot read the procedures YAML ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, { file });
  }
  const key = createHash('sha1').update(text).update(`\0${file}\0${packageVersion()}`).digest('hex').slice(0, 16);
  const copies = cacheDirs.map((dir) => path.join(dir, `catalog-${key}.json`));
  for (const cached of copies) {
    try {
      const catalog = JSON.parse(readFileSync(cached, 'utf8'), reviver) as ProcedureCatalog;
      for (const other of copies) if (other !== cached) keep(other, catalog);
      return catalog;
    } catch {
      // no compiled copy here (or an unreadable one)
    }
  }
  const { parseProcedureCatalog } = await import('./procedures-schema.js');
  const catalog = parseProcedureCatalog(text.toString('utf8'), file);
  for (const cached of copies) keep(cached, catalog);
  return catalog;
}

/** Writes a compiled copy where there is none yet (a read-only folder is skipped: the YAML is parsed again next time). */
function keep(cached: string, catalog: ProcedureCatalog): void {
  try {
    if (!existsSync(cached)) writeFileAtomically(cached, JSON.stringify(catalog, replacer));
  } catch {
    // a read-only lake or cache
  }
}
