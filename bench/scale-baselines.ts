// The baselines of the scale benchmark, each called in a fresh node process (as strata runs from the shell):
// a bare stat loop, a stat loop that finds the new files and loads them with DuckDB, and DuckDB's best first run.
// They import DuckDB only when they use it: a process that only stats pays for nothing else.
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { statWalk, type StatEntry } from './stat-walk.js';

const keyOf = (f: StatEntry) => `${f.relPath}\t${f.size}\t${f.mtimeMs}`;

/** The bare stat loop: every folder read, every file stat'ed, nothing else (what any re-run must at least do). */
export function statLoop(rawRoot: string): { readonly files: number } {
  return { files: statWalk(rawRoot).length };
}

/** The known-files list `newFilesByDuckdb` keeps: path, size and mtime of every file, one a line. */
export function writeKnownFiles(rawRoot: string, knownFile: string): { readonly files: number } {
  const files = statWalk(rawRoot);
  writeFileSync(knownFile, files.map((f) => `${keyOf(f)}\n`).join(''));
  return { files: files.length };
}

/**
 * The least an incremental loader must do when files arrive: read its list of known files, walk and stat the raw
 * root, and for each file not in the list (path, size, mtime), DuckDB's read_csv (header skipped to the data
 * table, types auto-detected) -> COPY to its own Parquet file; then add them to the list.
 */
export async function newFilesByDuckdb(rawRoot: string, knownFile: string, outDir: string): Promise<{ readonly files: number; readonly fresh: number; readonly rows: number }> {
  const known = new Set(readFileSync(knownFile, 'utf8').split('\n'));
  const files = statWalk(rawRoot);
  const fresh = files.filter((f) => !known.has(keyOf(f)));
  let rows = 0;
  if (fresh.length > 0) {
    mkdirSync(outDir, { recursive: true });
    const { Engine, sqlLiteral } = await import('../src/engine/duckdb.js');
    const engine = await Engine.open();
    const conn = await engine.connect();
    for (const [i, file] of fresh.entries()) {
      const skip = readFileSync(file.absPath, 'latin1').split('\n').findIndex((l) => l.startsWith('#Data')) + 1;
      const out = path.join(outDir, `${Date.now()}-${i}.parquet`);
      const [r] = await conn.all<{ Count: number }>(
        `COPY (SELECT * FROM read_csv(${sqlLiteral(file.absPath)}, skip=${skip}, header=true)) TO ${sqlLiteral(out)} (FORMAT parquet)`,
      );
      rows += Number(r?.Count ?? 0);
    }
    engine.close();
    appendFileSync(knownFile, fresh.map((f) => `${keyOf(f)}\n`).join(''));
  }
  return { files: files.length, fresh: fresh.length, rows };
}

/** The procedure (`<...It.It>` -> It) and the data table's column line of a raw file, from its first bytes. */
function headOf(absPath: string): { procedure: string; columns: string } | undefined {
  const fd = openSync(absPath, 'r');
  try {
    for (let size = 8192; ; size *= 8) {
      const bytes = Buffer.alloc(size);
      const n = readSync(fd, bytes, 0, size, 0);
      const lines = bytes.subarray(0, n).toString('latin1').split(/\r?\n/);
      const at = lines.findIndex((l) => /^#\s*Data:/.test(l));
      if (at >= 0 && at + 2 < lines.length) {
        const procedure = /\.(\w+)>/.exec(lines[0] ?? '')?.[1] ?? '?';
        return { procedure, columns: lines[at + 1] ?? '' };
      }
      if (n < size) return undefined;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * DuckDB's best first run, a lower bound for any design that writes with it: the files grouped by procedure and
 * data columns (read from their first bytes), then each group in one read_csv (no per-file work, a filename
 * column to tell the runs apart, the data columns as DOUBLE) -> COPY to one Parquet file per group.
 */
export async function duckdbBest(rawRoot: string, outDir: string): Promise<{ readonly files: number; readonly groups: number; readonly rows: number }> {
  const groups = new Map<string, { columns: number; files: string[] }>();
  const files = statWalk(rawRoot);
  for (const file of files) {
    const head = headOf(file.absPath);
    if (head === undefined) continue;
    const key = `${head.procedure}|${head.columns}`;
    const group = groups.get(key) ?? groups.set(key, { columns: head.columns.split(',').length, files: [] }).get(key)!;
    group.files.push(file.absPath);
  }
  mkdirSync(outDir, { recursive: true });
  const { Engine, sqlLiteral } = await import('../src/engine/duckdb.js');
  const engine = await Engine.open();
  const conn = await engine.connect();
  let rows = 0;
  let i = 0;
  for (const { columns, files: members } of groups.values()) {
    const types = Array.from({ length: columns }, (_, c) => `'c${c}': 'DOUBLE'`).join(', ');
    const [written] = await conn.all<{ Count: number }>(
      `COPY (SELECT * FROM read_csv([${members.map(sqlLiteral).join(', ')}], comment='#', header=true, filename=true,
         auto_detect=false, delim=',', quote='"', escape='"', columns={${types}}, nullstr=['nan', ''])) TO ${sqlLiteral(path.join(outDir, `${i++}.parquet`))} (FORMAT parquet)`,
    );
    rows += Number(written?.Count ?? 0);
  }
  engine.close();
  return { files: files.length, groups: groups.size, rows };
}
