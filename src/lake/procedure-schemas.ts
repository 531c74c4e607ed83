// One schema per procedure: the columns every data file of the procedure holds, in order, with their types,
// and the record of its changes (`_manifest/schemas.json`), so every reader sees one type per column. A change is
// recorded there once every data file has it; until then the schemas a run is bringing the lake to are pending
// (`_manifest/schemas.pending.json`), and the next run takes them up if this one does not finish.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ProcedureSpec, ValueType } from '../schema/procedures-schema.js';
import { writeFileAtomically } from '../fs/atomic-file.js';

/** declared: the procedures YAML names it; found: a file had it and the YAML does not; run: the run's own values. */
export type ColumnOrigin = 'declared' | 'found' | 'run';

export interface LakeColumn {
  readonly name: string;
  readonly type: ValueType;
  readonly origin: ColumnOrigin;
  /**
   * The Parquet field id the column has in every data file of its procedure: given once, when the procedure first
   * has the column, never reused, so that a table format can map columns by id (the catalog numbers them alike).
   */
  readonly fieldId?: number;
}

export interface ProcedureSchema {
  readonly proc: string;
  /** Twelve hex digits of the columns' SHA-1: equal ids, identical files. */
  readonly id: string;
  readonly columns: readonly LakeColumn[];
}

export interface SchemaChange {
  readonly proc: string;
  readonly at: string;
  readonly added: readonly LakeColumn[];
  /** The raw file that first had the new columns. */
  readonly source_file: string;
}

export interface LakeSchemas {
  readonly procedures: ReadonlyMap<string, ProcedureSchema>;
  readonly changes: readonly SchemaChange[];
}

/** The run's own columns, the same value on every row, after the measurements (CONTRACT: Data files). */
export const RUN_COLUMNS: readonly LakeColumn[] = [
  { name: 'start_time_utc', type: 'datetime', origin: 'run' },
  { name: 'source_file', type: 'str', origin: 'run' },
  { name: 'has_light', type: 'bool', origin: 'run' },
  { name: 'chip_group', type: 'str', origin: 'run' },
  { name: 'chip_number', type: 'int', origin: 'run' },
  { name: 'chip_name', type: 'str', origin: 'run' },
  { name: 'file_idx', type: 'int', origin: 'run' },
];

export function schemaOf(proc: string, columns: readonly LakeColumn[]): ProcedureSchema {
  const id = createHash('sha1')
    .update(JSON.stringify(columns.map((c) => [c.name, c.type])))
    .digest('hex')
    .slice(0, 12);
  return { proc, id, columns };
}

/**
 * A procedure's schema before any file added to it: the YAML's data columns, then the run columns and the
 * parameter columns the YAML maps. A measured column named like a run column wins (the run column is left out).
 */
export function initialSchema(proc: string, procedure: ProcedureSpec | undefined): ProcedureSchema {
  const columns: LakeColumn[] = (procedure?.data ?? []).map((d) => ({ name: d.name, type: d.type, origin: 'declared' as const }));
  const taken = new Set(columns.map((c) => c.name));
  const run = [...RUN_COLUMNS, ...(procedure?.manifest ?? []).map((m) => ({ name: m.column, type: m.type, origin: 'run' as const }))];
  for (const column of run) {
    if (taken.has(column.name)) continue;
    taken.add(column.name);
    columns.push(column);
  }
  return schemaOf(proc, numbered(columns));
}

/** The columns with a field id each: those without one get the next ids, in order. */
export function numbered(columns: readonly LakeColumn[]): LakeColumn[] {
  let next = Math.max(0, ...columns.map((c) => c.fieldId ?? 0));
  return columns.map((c) => (c.fieldId === undefined ? { ...c, fieldId: ++next } : c));
}

/** The schema with `found` columns it lacks added after the measured ones; the same schema when none is new. */
export function withFoundColumns(schema: ProcedureSchema, found: readonly LakeColumn[]): ProcedureSchema {
  const names = new Set(schema.columns.map((c) => c.name));
  const added = found.filter((c) => !names.has(c.name) && names.add(c.name)).map(({ fieldId: _, ...c }) => c);
  if (added.length === 0) return schema;
  const firstRun = schema.columns.findIndex((c) => c.origin === 'run');
  const at = firstRun < 0 ? schema.columns.length : firstRun;
  const measured = schema.columns.slice(0, at);
  const run = schema.columns.slice(at).filter((c) => !added.some((a) => a.name === c.name));
  const next = Math.max(0, ...schema.columns.map((c) => c.fieldId ?? 0));
  const numberedAdded = added.map((c, i) => ({ ...c, origin: 'found' as const, fieldId: next + i + 1 }));
  return schemaOf(schema.proc, numbered([...measured, ...numberedAdded, ...run]));
}

/** The data columns of a schema: the measured ones, declared or found (not the run's own). */
export function dataColumnCount(schema: ProcedureSchema): number {
  return schema.columns.reduce((n, c) => (c.origin === 'run' ? n : n + 1), 0);
}

const namesOf = new WeakMap<ProcedureSchema, ReadonlySet<string>>();

function columnNamesOf(schema: ProcedureSchema): ReadonlySet<string> {
  let names = namesOf.get(schema);
  if (names === undefined) namesOf.set(schema, (names = new Set(schema.columns.map((c) => c.name))));
  return names;
}

/** Beside `schemas.json`: the schemas a run is bringing the lake to, until every data file has them. */
export function pendingSchemasPath(schemasFile: string): string {
  return path.join(path.dirname(schemasFile), 'schemas.pending.json');
}

/** The schemas to stage with: those a run that did not finish was bringing the lake to, else the recorded ones. */
export function readTargetSchemas(schemasFile: string): LakeSchemas {
  const pending = pendingSchemasPath(schemasFile);
  return readLakeSchemas(existsSync(pending) ? pending : schemasFile);
}

/** Keeps the schemas this run is bringing the lake to, before a data file that has them is journaled. */
export function writePendingSchemas(schemasFile: string, schemas: LakeSchemas): void {
  writeLakeSchemas(pendingSchemasPath(schemasFile), schemas);
}

/** Records `schemas` as the lake's (every data file has them now) and drops the pending ones. */
export function recordLakeSchemas(schemasFile: string, schemas: LakeSchemas): void {
  writeLakeSchemas(schemasFile, schemas);
  rmSync(pendingSchemasPath(schemasFile), { force: true });
}

export function readLakeSchemas(file: string): LakeSchemas {
  if (!existsSync(file)) return { procedures: new Map(), changes: [] };
  const stored = JSON.parse(readFileSync(file, 'utf8')) as {
    procedures: Record<string, { columns: LakeColumn[] }>;
    changes?: SchemaChange[];
  };
  // A lake written before field ids has none recorded: its columns are numbered in order, once.
  const procedures = new Map(Object.entries(stored.procedures).map(([proc, s]) => [proc, schemaOf(proc, numbered(s.columns))]));
  return { procedures, changes: stored.changes ?? [] };
}

export function writeLakeSchemas(file: string, schemas: LakeSchemas): void {
  const procedures = Object.fromEntries(
    [...schemas.procedures].sort(([a], [b]) => a.localeCompare(b)).map(([proc, s]) => [proc, { id: s.id, columns: s.columns }]),
  );
  writeFileAtomically(file, `${JSON.stringify({ procedures, changes: schemas.changes }, null, 2)}\n`);
}

/** The lake's schemas as a stage run grows them: each procedure's first file, and each file that adds columns. */
export interface SchemaGrowth {
  readonly procedures: ReadonlyMap<string, ProcedureSchema>;
  readonly changes: readonly SchemaChange[];
  /** The schemas the lake has with this run's changes: those it started from, grown. */
  schemas(): LakeSchemas;
  /**
   * Why a run of `proc` whose found columns (those the YAML does not declare) are `found` may not be staged: they
   * would give the procedure more than `maxColumns` data columns (every file of it is rewritten with each new one).
   * Undefined when it may.
   */
  refusal(proc: string, found: readonly LakeColumn[], maxColumns: number): string | undefined;
  /**
   * Takes a staged run of `proc` and its found columns; returns the procedure's schema when it grew (the workers'
   * files from now on must have it), undefined otherwise. Only a run that is staged is observed: a file that is
   * refused never changes a schema.
   */
  observe(proc: string, found: readonly LakeColumn[], sourceFile: string): ProcedureSchema | undefined;
}

export function growSchemas(start: LakeSchemas, declared: (proc: string) => ProcedureSpec | undefined, now: () => Date): SchemaGrowth {
  const procedures = new Map(start.procedures);
  const changes: SchemaChange[] = [];
  /** The procedure's schema with `found`, and the columns new to it (most files bring none: one lookup each tells). */
  const grown = (proc: string, found: readonly LakeColumn[]) => {
    const before = procedures.get(proc) ?? initialSchema(proc, declared(proc));
    const names = columnNamesOf(before);
    if (found.every((c) => names.has(c.name))) return { after: before, added: [] as LakeColumn[] };
    const after = withFoundColumns(before, found);
    return { after, added: after.columns.filter((c) => !names.has(c.name)) };
  };
  return {
    procedures,
    changes,
    schemas: () => ({ procedures, changes: [...start.changes, ...changes] }),
    refusal(proc, found, maxColumns) {
      const { after, added } = grown(proc, found);
      const count = dataColumnCount(after);
      if (added.length === 0 || count <= maxColumns) return undefined;
      return (
        `its ${added.length.toLocaleString('en-US')} column(s) new to ${proc} would give the procedure ${count.toLocaleString('en-US')} data ` +
        `columns, more than the ${maxColumns.toLocaleString('en-US')} it may have (each new column rewrites every file of ${proc}); ` +
        'if the file is right, raise the limit with --max-columns (or max-columns in the config file)'
      );
    },
    observe(proc, found, sourceFile) {
      const known = procedures.get(proc);
      const { after, added } = grown(proc, found);
      if (added.length === 0) {
        if (known !== undefined) return undefined;
        procedures.set(proc, after);
        changes.push({ proc, at: now().toISOString(), added: after.columns, source_file: sourceFile });
        return undefined;
      }
      procedures.set(proc, after);
      changes.push({ proc, at: now().toISOString(), added, source_file: sourceFile });
      return after;
    },
  };
}
