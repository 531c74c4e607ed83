// The views `strata query` reads the lake through: `runs` (the manifest) and one per procedure (its data files, as
// the manifest lists them), each made only when a statement names it.
import { sqlIdentifier, sqlLiteral, sqlPathLiteral, type EngineConnection } from '../engine/duckdb.js';
import { checkSafeName } from '../fs/safe-name.js';
import { manifestSource } from '../lake/manifest-store.js';
import { firstLine, type NamedTable } from './statement-check.js';
import { messageOf } from '../errors.js';

/** Where the lake is, as absolute paths. */
export interface LakeLocation {
  /** The stage root: `<S>/proc=<Proc>/date=.../run_id=.../part-000.parquet`. */
  readonly stageRoot: string;
  readonly manifestPath: string;
}

/** The views one statement needs: those it names, or all of them when it lists the catalog. */
export type ViewRequest = { readonly kind: 'named'; readonly tables: readonly NamedTable[] } | { readonly kind: 'all' };

export interface LakeViews {
  /** The views made, `runs` first. */
  readonly made: readonly string[];
  /** A sentence for each view that was asked for and not made. */
  readonly notes: readonly string[];
}

const RUNS = 'runs';

/**
 * Makes the views `request` asks for. A procedure view reads exactly the data files the manifest lists for it
 * (no folder is listed), with `proc`, `date` and `run_id` from the Hive path, so a filter on them opens only
 * the matching files. A view that cannot be made (a stored name that is not a safe name, a missing file) is a
 * note, never a failure: a statement that does not name it runs as if it were not there.
 */
export async function createLakeViews(conn: EngineConnection, lake: LakeLocation, request: ViewRequest): Promise<LakeViews> {
  const tables = request.kind === 'all' ? [] : request.tables.filter(isMainTable);
  const named = tables.map((t) => t.name);
  const wanted = request.kind === 'all' ? null : new Set(named.map((name) => name.toLowerCase()));
  const made: string[] = [];
  const notes: string[] = [];
  if (wanted === null || wanted.has(RUNS)) {
    await conn.run(`CREATE VIEW ${RUNS} AS SELECT * FROM ${manifestSource(lake.manifestPath)}`);
    made.push(RUNS);
  }
  if (wanted !== null && [...wanted].every((name) => name === RUNS)) return { made, notes };
  for (const procedure of inViewOrder(await lakeProcedures(conn, lake), new Set(named))) {
    if (wanted !== null && !wanted.has(procedure.name.toLowerCase())) continue;
    const refusal = whyNoView(procedure.name, made);
    if (refusal !== null) {
      notes.push(refusal);
      continue;
    }
    try {
      await createProcedureView(conn, lake, procedure.name, made.length, filterFor(procedure.name, tables));
      made.push(procedure.name);
      if (procedure.unreadable > 0) {
        notes.push(`${procedure.unreadable} run(s) of ${procedure.name} are not in its view: their manifest path is not a plain path under the stage root`);
      }
    } catch (error) {
      notes.push(`the view ${JSON.stringify(procedure.name)} could not be made: ${firstLine(messageOf(error))} (strata validate-manifest checks the lake)`);
    }
  }
  return { made, notes };
}

/** The views a statement could use: `runs` and each procedure that can have one. */
export async function lakeViewNames(conn: EngineConnection, lake: LakeLocation): Promise<string[]> {
  const names = [RUNS];
  for (const procedure of inViewOrder(await lakeProcedures(conn, lake), new Set())) {
    if (whyNoView(procedure.name, names) === null) names.push(procedure.name);
  }
  return names;
}

const isMainTable = (t: NamedTable) => t.schema === '' || t.schema.toLowerCase() === 'main';

/** The partition filter of the statement's one reference to this procedure; none when it has several or none. */
function filterFor(proc: string, tables: readonly NamedTable[]): string | null {
  const refs = tables.filter((t) => t.name.toLowerCase() === proc.toLowerCase());
  return refs.length === 1 ? refs[0]!.partitionFilter : null;
}

/** Why a procedure gets no view, or null: its name must be a safe name and not clash with a view already made. */
function whyNoView(name: string, made: readonly string[]): string | null {
  const check = checkSafeName(name, 'a procedure name');
  if (!check.ok) return `procedure ${JSON.stringify(name)} has no view (its runs are in runs): ${check.reason}`;
  const clash = made.find((m) => m.toLowerCase() === name.toLowerCase());
  if (clash === RUNS) return `procedure ${name} has no view of its own: runs is the manifest's view (its runs are in runs)`;
  if (clash !== undefined) return `procedure ${name} has no view: SQL names ignore case, and the view ${clash} has its name`;
  return null;
}

interface LakeProcedure {
  readonly name: string;
  readonly runs: number;
  /** Runs whose stored path is not `proc=.../date=.../run_id=.../<file>` under the stage root. */
  readonly unreadable: number;
}

/** A manifest path the view may read: relative, no `..`, no character DuckDB would expand as a glob. */
const PLAIN_PATH = `NOT (starts_with(path, '/') OR ${['..', '*', '?', '[', ']', '{', '}', '\\'].map((c) => `contains(path, '${c}')`).join(' OR ')})`;

async function lakeProcedures(conn: EngineConnection, lake: LakeLocation): Promise<LakeProcedure[]> {
  const rows = await conn.all<{ proc: string; runs: number; unreadable: number }>(
    `SELECT proc, count(*) AS runs, count(*) FILTER (WHERE NOT (${PLAIN_PATH})) AS unreadable FROM ${manifestSource(lake.manifestPath)}
     WHERE proc IS NOT NULL GROUP BY proc ORDER BY proc`,
  );
  return rows.map((r) => ({ name: r.proc, runs: r.runs, unreadable: r.unreadable }));
}

/**
 * SQL names ignore case, so of two procedures `It` and `IT` only one can have a view: the one the statement
 * spells exactly, else the one with more runs. Otherwise in name order.
 */
function inViewOrder(procedures: readonly LakeProcedure[], spelled: ReadonlySet<string>): LakeProcedure[] {
  return [...procedures].sort(
    (a, b) =>
      a.name.toLowerCase().localeCompare(b.name.toLowerCase()) ||
      Number(spelled.has(b.name)) - Number(spelled.has(a.name)) ||
      b.runs - a.runs ||
      (a.name < b.name ? -1 : 1),
  );
}

/** A manifest path's partition values as the view's Hive columns read them: `proc=X/date=D/run_id=R/file`. */
const PATH_PARTITIONS = `CASE WHEN starts_with(split_part(path, '/', 2), 'date=') THEN TRY_CAST(substr(split_part(path, '/', 2), 6) AS DATE) END AS "date",
  CASE WHEN starts_with(split_part(path, '/', 3), 'run_id=') THEN substr(split_part(path, '/', 3), 8) END AS run_id`;

/**
 * The file list lives in a variable that DuckDB fills from the manifest, so a procedure of 50,000 runs costs no SQL
 * text. DuckDB binds a view when it is made and checks every file in its list each time a statement binds it; the
 * view is made over one file, then given the list, and a partition filter the statement puts on the procedure
 * (`WHERE date = ...`) leaves out, before DuckDB sees the list, the files whose every row it would reject. When no
 * file is left, the view keeps the first one, for its columns: the statement's own filter rejects its rows.
 */
async function createProcedureView(conn: EngineConnection, lake: LakeLocation, proc: string, index: number, filter: string | null): Promise<void> {
  const files = `strata_files_${index}`;
  const all = `strata_all_files_${index}`;
  const root = sqlPathLiteral(lake.stageRoot.endsWith('/') ? lake.stageRoot : `${lake.stageRoot}/`);
  const listed = (condition: string) =>
    `SET VARIABLE ${all} = (SELECT {'first': min(file), 'kept': coalesce(list(file ORDER BY file) FILTER (WHERE ${condition}), [min(file)])}
     FROM (SELECT ${root} || path AS file, ${PATH_PARTITIONS} FROM ${manifestSource(lake.manifestPath)} WHERE proc = ${sqlLiteral(proc)} AND ${PLAIN_PATH}))`;
  try {
    await conn.run(listed(filter ?? 'true'));
  } catch (error) {
    if (filter === null) throw error;
    await conn.run(listed('true')); // a filter DuckDB cannot apply to the paths (a type it cannot compare): every file
  }
  await conn.run(`SET VARIABLE ${files} = [getvariable('${all}').first]`);
  await conn.run(
    `CREATE VIEW ${sqlIdentifier(proc)} AS SELECT * FROM read_parquet(getvariable('${files}'), hive_partitioning = true, ` +
      `hive_types = {'proc': VARCHAR, 'date': DATE, 'run_id': VARCHAR})`,
  );
  await conn.run(`SET VARIABLE ${files} = getvariable('${all}').kept`);
  await conn.run(`RESET VARIABLE ${all}`);
}
