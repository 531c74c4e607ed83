// The one module that imports DuckDB (@duckdb/node-api, and its C API bindings for raw column memory):
// opening databases, running SQL, appending rows, streaming result chunks.
import { createRequire } from 'node:module';
import type * as DuckDbBindings from '@duckdb/node-bindings';
import { sqlIdentifier, sqlLiteral } from '../sql/quote.js';
import type * as DuckDbApi from '@duckdb/node-api';
import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBResult,
  DuckDBResultReader,
  DuckDBType,
  DuckDBValue,
  DuckDBValueConverter,
  JS,
} from '@duckdb/node-api';

// require() rather than import: the packages are CommonJS, and importing them from ESM makes node scan their
// whole source for export names first, a cost every start-up of the CLI would pay.
const require = createRequire(import.meta.url);
// Loaded on first use, not on import: a command or a stage run that needs no database (a re-run with nothing to
// do) never pays for loading it.
let loadedApi: typeof DuckDbApi | undefined;
const duck = () => (loadedApi ??= require('@duckdb/node-api') as typeof DuckDbApi);
let loadedBindings: typeof DuckDbBindings | undefined;
const bindings = () => (loadedBindings ??= require('@duckdb/node-bindings') as typeof DuckDbBindings);

/** A value that can be bound to a `$1` / `$name` placeholder or appended to a table. */
export type SqlValue = string | number | boolean | bigint | Date | null;
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;
export type Row = Record<string, unknown>;

let columnKinds: ReadonlyMap<number, 'as-is' | 'whole'> | undefined;
/**
 * How a column of this type becomes JS values without the per-value converter: `as-is` when DuckDB's own value is
 * already what `toJs` would return (booleans, numbers, text), `whole` for BIGINT and its kin; absent: through `toJs`.
 */
const columnKind = (typeId: number) => {
  if (columnKinds === undefined) {
    const id = duck().DuckDBTypeId;
    columnKinds = new Map<number, 'as-is' | 'whole'>([
      ...[id.BOOLEAN, id.TINYINT, id.SMALLINT, id.INTEGER, id.UTINYINT, id.USMALLINT, id.UINTEGER, id.FLOAT, id.DOUBLE, id.VARCHAR].map(
        (t) => [t, 'as-is'] as const,
      ),
      ...[id.BIGINT, id.UBIGINT, id.HUGEINT, id.UHUGEINT].map((t) => [t, 'whole'] as const),
    ]);
  }
  return columnKinds.get(typeId);
};
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** A whole number as a number when it is one exactly; past 2^53 it stays a bigint rather than be rounded. */
const wholeNumber = (value: bigint): number | bigint => (value >= SAFE_MIN && value <= SAFE_MAX ? Number(value) : value);

/**
 * The one policy for values read back: DuckDB's own JS conversion (timestamps and dates as Date, DECIMAL and
 * DOUBLE as number, VARCHAR as string), except that a BIGINT (and its wider kin) is a number whenever it is one
 * exactly: counts, sizes, chip numbers and epoch microseconds all are. Only a value past 2^53 stays a bigint,
 * rather than be rounded.
 */
const toJs: DuckDBValueConverter<JS> = (value, type, converter) => {
  const js = duck().JSDuckDBValueConverter(value, type, converter);
  return typeof js === 'bigint' && columnKind(type.typeId) === 'whole' ? wholeNumber(js) : js;
};

/** One column's DuckDB values as JS values by the policy of `toJs`, most types without a call per value. */
function convertColumn(values: readonly DuckDBValue[], type: DuckDBType): unknown[] {
  const kind = columnKind(type.typeId);
  if (kind === 'as-is') return values as unknown[];
  if (kind === 'whole') return values.map((v) => (typeof v === 'bigint' ? wholeNumber(v) : v));
  return values.map((v) => (v === null ? null : toJs(v, type, toJs)));
}

/** The rows as objects keyed by column name (a repeated name gets `:1`, `:2`... as DuckDB's own reader does). */
function rowObjects<T extends Row>(reader: DuckDBResultReader): T[] {
  const names = reader.deduplicatedColumnNames();
  const types = reader.columnTypes();
  const columns = reader.getColumns().map((values, i) => convertColumn(values, types[i]!));
  const count = columns[0]?.length ?? reader.currentRowCount;
  const rows = new Array<T>(count);
  for (let r = 0; r < count; r++) {
    const row: Row = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = columns[c]![r];
    rows[r] = row as T;
  }
  return rows;
}

/**
 * One column of a result chunk, in DuckDB's own memory: fixed-width little-endian values (BOOLEAN 1 byte,
 * DATE 4 as days since 1970-01-01, BIGINT and DOUBLE 8), or for VARCHAR and BLOB 16-byte `string_t` entries
 * (read them with `rawStringLength` and `copyRawString`). The memory belongs to its chunk: use it only while holding the RawChunk.
 */
export interface RawVector {
  readonly data: Uint8Array<ArrayBuffer>;
  /** Bit `row` (little-endian, from byte 0) is set when the value is present; null when every row has one. */
  readonly validity: Uint8Array | null;
}

export interface RawChunk {
  readonly rows: number;
  readonly vectors: readonly RawVector[];
  /** DuckDB's chunk, which frees the memory once garbage: referenced here so it lives as long as this object. */
  readonly owner: object;
}

/** Bytes per value of the column types `rawChunks` streams. */
function rawWidths(): ReadonlyMap<number, number> {
  const { DuckDBTypeId: id } = duck();
  return new Map([
    [id.BOOLEAN, 1],
    [id.DATE, 4],
    [id.BIGINT, 8],
    [id.DOUBLE, 8],
    [id.VARCHAR, 16],
    [id.BLOB, 16],
  ]);
}

/** The length in bytes of a VARCHAR or BLOB value: the first 4 bytes of its `string_t`. */
export function rawStringLength(vector: RawVector, row: number): number {
  const data = vector.data;
  const entry = row * 16;
  return (data[entry]! | (data[entry + 1]! << 8) | (data[entry + 2]! << 16) | (data[entry + 3]! << 24)) >>> 0;
}

/**
 * Copies the bytes of a VARCHAR or BLOB value into `target` at `offset` and returns their count. Up to 12 bytes
 * sit inline in the `string_t`; a longer value is behind its pointer and costs a native call.
 */
export function copyRawString(vector: RawVector, row: number, target: Uint8Array, offset: number): number {
  const length = rawStringLength(vector, row);
  const data = vector.data;
  const entry = row * 16;
  if (length <= 12) {
    for (let i = 0; i < length; i += 1) target[offset + i] = data[entry + 4 + i]!;
  } else {
    target.set(bindings().get_data_from_pointer(data.buffer, data.byteOffset + entry + 8, length), offset);
  }
  return length;
}

/** The statements DuckDB's parser found in a text. */
export interface ExtractedStatements {
  readonly count: number;
  prepare(index: number): Promise<PreparedStatement>;
}

/** A statement DuckDB has bound and planned, not yet run. */
export interface PreparedStatement {
  /** Its kind by DuckDB's own parser: `SELECT`, `COPY`, `ATTACH`, `SET`... */
  readonly kind: string;
  /** Runs it and streams its rows; DuckDB computes the next chunk while the caller works on this one. */
  stream(): Promise<RowStream>;
  close(): void;
}

/** Up to 2,048 rows of a result, column by column, as JS values by the policy of `toJs`. */
export interface RowChunk {
  readonly rows: number;
  readonly columns: readonly (readonly unknown[])[];
}

export interface RowStream {
  /** The column names in order, a repeated name as it is. */
  readonly columns: readonly string[];
  /** The chunks in order; stopping early (break, return) stops reading. Read them once. */
  chunks(): AsyncGenerator<RowChunk>;
}

function preparedStatement(prepared: DuckDBPreparedStatement): PreparedStatement {
  const type = prepared.statementType;
  return {
    kind: duck().StatementType[type] ?? `statement type ${type}`,
    stream: async () => rowStream(await prepared.stream()),
    close: () => prepared.destroySync(),
  };
}

/**
 * A streamed result's chunks, in order, DuckDB computing the next while the caller works on this one. A result
 * that fails part-way ends as if it were complete (the binding's fetch returns no chunk either way and does not
 * expose DuckDB's error); the result's return type then reads INVALID, which is all that tells, so it throws.
 */
async function* prefetchedChunks(result: DuckDBResult): AsyncGenerator<DuckDBDataChunk> {
  let next = result.fetchChunk();
  let rows = 0;
  try {
    for (;;) {
      const chunk = await next;
      if (chunk === null || chunk.rowCount === 0) break;
      rows += chunk.rowCount;
      next = result.fetchChunk();
      next.catch(() => {}); // awaited above or in finally; a consumer that stops early must not leave it unhandled
      yield chunk;
    }
  } finally {
    await next.catch(() => {});
  }
  if (result.returnType === duck().ResultReturnType.INVALID) {
    throw new Error(`DuckDB stopped with an error after ${rows} rows (its Node binding does not say which error); the rows read so far are not the whole result`);
  }
}

function rowStream(result: DuckDBResult): RowStream {
  const types = result.columnTypes();
  return {
    columns: result.columnNames(),
    async *chunks() {
      for await (const chunk of prefetchedChunks(result)) {
        yield { rows: chunk.rowCount, columns: types.map((type, i) => convertColumn(chunk.getColumnValues(i), type)) };
      }
    },
  };
}

/** What a confined database may open: these folders (and all under them) and these files, nothing else. */
export interface FileAccess {
  readonly directories: readonly string[];
  readonly files: readonly string[];
}

export interface EngineOptions {
  /** DuckDB worker threads; defaults to DuckDB's own choice (the number of cores). */
  readonly threads?: number;
  readonly memoryLimit?: string;
  /**
   * Confines the database with DuckDB's own settings, before any SQL runs: external access off but for these
   * paths (no other file, no network), no extension installed or loaded, nothing spilled to a temp folder, and the
   * configuration locked so that no statement can undo it. DuckDB still lets a statement write inside an allowed
   * folder (COPY, ATTACH, EXPORT): a caller that must not write runs only queries there.
   */
  readonly confinedTo?: FileAccess;
}

/** The settings of a confined database that can be given at creation; the paths and the lock follow in SQL. */
const CONFINED_CONFIG: Readonly<Record<string, string>> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_persistent_secrets: 'false',
  temp_directory: '',
};

const sqlList = (values: readonly string[]) => `[${values.map((v) => sqlLiteral(v)).join(', ')}]`;

/** DuckDB checks a path as written before it expands it: each path, and the pattern sqlPathLiteral makes of it. */
const withPatterns = (paths: readonly string[]) => [...new Set(paths.flatMap((p) => [p, globFree(p)]))];

/** An open DuckDB database (in memory by default) and the connections made to it. */
export class Engine {
  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(path = ':memory:', options: EngineOptions = {}): Promise<Engine> {
    const config: Record<string, string> = {};
    if (options.threads !== undefined) config['threads'] = String(options.threads);
    if (options.memoryLimit !== undefined) config['memory_limit'] = options.memoryLimit;
    if (options.confinedTo !== undefined) Object.assign(config, CONFINED_CONFIG);
    const engine = new Engine(await duck().DuckDBInstance.create(path, config));
    if (options.confinedTo !== undefined) await engine.confine(options.confinedTo);
    return engine;
  }

  /** The paths first (DuckDB takes them only while external access is on), then access off, then the lock. */
  private async confine(access: FileAccess): Promise<void> {
    const conn = await this.instance.connect();
    try {
      await conn.run(`SET allowed_directories = ${sqlList(withPatterns(access.directories))}`);
      await conn.run(`SET allowed_paths = ${sqlList(withPatterns(access.files))}`);
      await conn.run('SET enable_external_access = false');
      await conn.run('SET lock_configuration = true');
    } catch (error) {
      this.close();
      throw error;
    } finally {
      conn.closeSync();
    }
  }

  async connect(): Promise<EngineConnection> {
    return new EngineConnection(await this.instance.connect());
  }

  close(): void {
    this.instance.closeSync();
  }
}

/** One connection: statements on it run one at a time, in order. */
export class EngineConnection {
  constructor(private readonly connection: DuckDBConnection) {}

  async run(sql: string, params?: SqlParams): Promise<void> {
    await this.connection.run(sql, toDuckDbParams(params));
  }

  /** Runs a query and returns its rows as plain JS objects, converted by `toJs` (BIGINT as number, timestamps as Date). */
  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    return rowObjects<T>(await this.connection.runAndReadAll(sql, toDuckDbParams(params)));
  }

  /** Like `all`, with the result's column names in order (also when there are no rows). */
  async allWithColumns<T extends Row = Row>(sql: string, params?: SqlParams): Promise<{ rows: T[]; columns: string[] }> {
    const reader = await this.connection.runAndReadAll(sql, toDuckDbParams(params));
    return { rows: rowObjects<T>(reader), columns: reader.columnNames() };
  }

  /** Appends rows to an existing table, columns in table order; far faster than INSERT per row. */
  async appendRows(table: string, rows: Iterable<readonly SqlValue[]>): Promise<void> {
    const appender = await this.connection.createAppender(table);
    try {
      for (const row of rows) {
        for (const value of row) appender.appendValue(toDuckDbValue(value));
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /**
   * Appends rows of plain JS values (numbers, strings, booleans, Dates, bigints, null), each converted to its
   * column's type, a data chunk at a time: several times faster than `appendRows` for wide tables.
   */
  async appendJsRows(table: string, rows: Iterable<readonly SqlValue[]>): Promise<void> {
    const appender = await this.connection.createAppender(table);
    try {
      const { DuckDBDataChunkWriter, JSToDuckDBValueConverter } = duck();
      const writer = DuckDBDataChunkWriter.forAppender(appender, { converter: JSToDuckDBValueConverter });
      for (const row of rows) writer.appendRow(row);
      writer.flush();
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /**
   * Splits `sql` into statements with DuckDB's own parser (a parse error throws). Each one can be prepared (bound
   * and planned, not run) to learn its kind before it runs.
   */
  async extractStatements(sql: string): Promise<ExtractedStatements> {
    const extracted = await this.connection.extractStatements(sql);
    return {
      count: extracted.count,
      prepare: async (index) => preparedStatement(await extracted.prepare(index)),
    };
  }

  /**
   * Streams a query's rows a chunk (up to 2,048 rows) at a time as raw column memory, for encoders that must
   * not turn every value into a JS value. DuckDB computes the next chunk while the caller works on this one.
   * Only BOOLEAN, DATE, BIGINT, DOUBLE, VARCHAR and BLOB columns: cast others in the query.
   */
  async *rawChunks(sql: string): AsyncGenerator<RawChunk> {
    const result = await this.connection.stream(sql);
    const known = rawWidths();
    const widths = result.columnTypes().map((type, i) => {
      const width = known.get(type.typeId);
      if (width === undefined) throw new Error(`rawChunks: column ${i + 1} is ${type.toString()}; cast it to BOOLEAN, DATE, BIGINT, DOUBLE, VARCHAR or BLOB`);
      return width;
    });
    const { data_chunk_get_vector, vector_get_data, vector_get_validity } = bindings();
    for await (const chunk of prefetchedChunks(result)) {
      const rows = chunk.rowCount;
      const vectors = widths.map((width, column) => {
        const vector = data_chunk_get_vector(chunk.chunk, column);
        const validity = vector_get_validity(vector, Math.ceil(rows / 64) * 8) as Uint8Array | null;
        return { data: vector_get_data(vector, rows * width) as Uint8Array<ArrayBuffer>, validity: validity !== null && validity.length > 0 ? validity : null };
      });
      yield { rows, vectors, owner: chunk };
    }
  }

  close(): void {
    this.connection.closeSync();
  }
}

function toDuckDbValue(value: SqlValue): DuckDBValue {
  if (value instanceof Date) return new (duck().DuckDBTimestampTZValue)(BigInt(value.getTime()) * 1000n);
  return value;
}

function toDuckDbParams(params: SqlParams | undefined): DuckDBValue[] | Record<string, DuckDBValue> | undefined {
  if (params === undefined) return undefined;
  if (Array.isArray(params)) return params.map((v: SqlValue) => toDuckDbValue(v));
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, toDuckDbValue(v as SqlValue)]));
}

// Quoting is the same for every database; re-exported here for the callers that build DuckDB SQL.
export { sqlIdentifier, sqlLiteral };

/**
 * A file path as a literal for DuckDB's readers, which expand `*`, `?`, `[...]` in it as a glob, even inside a list
 * and with no way to escape them: `lab [a]/m.parquet` would read `lab a/m.parquet`. Each such character becomes
 * `?`, which matches exactly the one character it stands for, so the path still names its own file (and a
 * confined database refuses any other file the pattern could also match).
 */
export function sqlPathLiteral(file: string): string {
  return sqlLiteral(globFree(file));
}

const globFree = (file: string) => file.replace(/[*[\]{}]/g, '?');
