// The one module that imports @duckdb/node-api: opening databases, running SQL, appending rows.
import { createRequire } from 'node:module';
import type * as DuckDbApi from '@duckdb/node-api';
import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';

// require() rather than import: the package is CommonJS, and importing it from ESM makes node scan its
// whole source for export names first, which costs about 150 ms on every start-up of the CLI.
const { DuckDBDataChunkWriter, DuckDBInstance: Instance, DuckDBTimestampTZValue, JSToDuckDBValueConverter } = createRequire(
  import.meta.url,
)('@duckdb/node-api') as typeof DuckDbApi;

/** A value that can be bound to a `$1` / `$name` placeholder or appended to a table. */
export type SqlValue = string | number | boolean | bigint | Date | null;
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;
export type Row = Record<string, unknown>;

export interface EngineOptions {
  /** DuckDB worker threads; defaults to DuckDB's own choice (the number of cores). */
  readonly threads?: number;
  readonly memoryLimit?: string;
}

/** An open DuckDB database (in memory by default) and the connections made to it. */
export class Engine {
  private constructor(private readonly instance: DuckDBInstance) {}

  static async open(path = ':memory:', options: EngineOptions = {}): Promise<Engine> {
    const config: Record<string, string> = {};
    if (options.threads !== undefined) config['threads'] = String(options.threads);
    if (options.memoryLimit !== undefined) config['memory_limit'] = options.memoryLimit;
    return new Engine(await Instance.create(path, config));
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

  /** Runs a query and returns its rows as plain JS objects (BIGINT as bigint, timestamps as Date). */
  async all<T extends Row = Row>(sql: string, params?: SqlParams): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, toDuckDbParams(params));
    return reader.getRowObjectsJS() as T[];
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
      const writer = DuckDBDataChunkWriter.forAppender(appender, { converter: JSToDuckDBValueConverter });
      for (const row of rows) writer.appendRow(row);
      writer.flush();
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  close(): void {
    this.connection.closeSync();
  }
}

function toDuckDbValue(value: SqlValue): DuckDBValue {
  if (value instanceof Date) return new DuckDBTimestampTZValue(BigInt(value.getTime()) * 1000n);
  return value;
}

function toDuckDbParams(params: SqlParams | undefined): DuckDBValue[] | Record<string, DuckDBValue> | undefined {
  if (params === undefined) return undefined;
  if (Array.isArray(params)) return params.map((v: SqlValue) => toDuckDbValue(v));
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, toDuckDbValue(v as SqlValue)]));
}

/** A SQL string literal: `it's` -> `'it''s'`. */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A quoted SQL identifier: `my "col"` -> `"my ""col"""`. */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
