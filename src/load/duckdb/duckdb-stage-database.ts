// The embedded stage database: one DuckDB file, loads as INSERT ... SELECT FROM read_parquet in one transaction.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine, type EngineConnection } from '../../engine/duckdb.js';
import { StrataError, messageOf } from '../../errors.js';
import { checkPeriodParquet, readParquetSql } from '../check-period-parquet.js';
import { withKeyedLock } from '../keyed-lock.js';
import { applyMigrations } from '../migrations.js';
import {
  STAGE_COLUMNS_SQL,
  checkStageColumns,
  columnListSql,
  createStageTableSql,
  stageTableName,
  type ReplacePeriodRequest,
  type ReplacePeriodResult,
  type SqlParam,
  type StageCapabilities,
  type StageDatabase,
  type WaitOptions,
  DEFAULT_LOCK_TIMEOUT_MS,
} from '../stage-database.js';

/**
 * A plain table: DuckDB's automatic min-max index (zonemap) on every column finds a period, since a
 * period is inserted in one statement and its rows fill their own row groups, so the zonemap skips all
 * others. An ART index would add nothing for such a filter and makes each replace cost twice a first load.
 */
export const DUCKDB_CAPABILITIES: StageCapabilities = { label: 'DuckDB', stageTableClause: '', periodIndexSql: () => null };

const RESERVED_SCHEMAS = ['meta', 'stage', 'core', 'mart'];

export class DuckDbStageDatabase implements StageDatabase {
  readonly capabilities = DUCKDB_CAPABILITIES;

  private constructor(
    private readonly file: string,
    private readonly engine: Engine,
    private readonly shared: EngineConnection,
  ) {}

  /** Opens (creating when missing) the database file, its folder too; waits while another process holds the file. */
  static async open(file: string, wait: WaitOptions = {}): Promise<DuckDbStageDatabase> {
    // DuckDB names the database after its file; `stage.duckdb` would make `stage.<table>` ambiguous.
    const stem = path.basename(file, path.extname(file));
    if (RESERVED_SCHEMAS.includes(stem)) {
      throw new StrataError('config', `${file}: a DuckDB stage database cannot be named ${stem}.duckdb, which clashes with the schema '${stem}'`, { file });
    }
    await mkdir(path.dirname(file), { recursive: true });
    const engine = await openWaiting(file, wait);
    return new DuckDbStageDatabase(file, engine, await engine.connect());
  }

  async migrate(): Promise<void> {
    await this.inTransaction('migrations', (conn) => applyMigrations({ run: (sql) => conn.run(sql), rows: (sql) => conn.all(sql) }));
  }

  async execute(sql: string, params: readonly SqlParam[]): Promise<void> {
    await this.shared.run(sql, params);
  }

  async replacePeriod(request: ReplacePeriodRequest): Promise<ReplacePeriodResult> {
    const { table, period, parquetFile } = request;
    return this.inTransaction(table.dataset, async (conn) => {
      await checkPeriodParquet(conn, request);
      await conn.run(createStageTableSql(table, this.capabilities));
      checkStageColumns(table, (await conn.all<{ column_name: string }>(STAGE_COLUMNS_SQL, [table.name])).map((r) => r.column_name));
      const target = stageTableName(table);
      const [deleted] = await conn.all<{ Count: number }>(`DELETE FROM ${target} WHERE "_data_period" = $1`, [period]);
      const columns = columnListSql(table);
      const insert = `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${readParquetSql(parquetFile)}`;
      const [inserted] = await this.onOneThread(() => conn.all<{ Count: number }>(insert));
      return { rowsDeleted: deleted?.Count ?? 0, rowsInserted: inserted?.Count ?? 0 };
    });
  }

  /**
   * Runs `work` with DuckDB on one thread. On more, DuckDB inserts each row group of a Parquet file as a batch of its
   * own, each ending in a part-filled row group of the table, and the checkpoint when the database closes rewrites
   * them all into whole ones: every row is written twice. On one, the rows fill whole row groups once, in file order.
   * `threads` is the database's setting, not the connection's: it is set and put back on the shared connection, which
   * no transaction leaves aborted.
   */
  private async onOneThread<T>(work: () => Promise<T>): Promise<T> {
    const [setting] = await this.shared.all<{ threads: number }>(`SELECT current_setting('threads') AS threads`);
    await this.shared.run('SET threads = 1');
    try {
      return await work();
    } finally {
      await this.shared.run(`SET threads = ${Number(setting?.threads)}`);
    }
  }

  async runScript(dataset: string, sql: string): Promise<void> {
    await this.inTransaction(dataset, (conn) => conn.run(sql));
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Record<string, unknown>[]> {
    return this.shared.all(sql, params);
  }

  async close(): Promise<void> {
    this.shared.close();
    this.engine.close();
  }

  /**
   * DuckDB refuses a second writer of the same rows with a conflict error instead of waiting,
   * so work on one dataset is queued here, per database file.
   */
  private inTransaction<T>(dataset: string, work: (conn: EngineConnection) => Promise<T>): Promise<T> {
    return withKeyedLock(`${this.file}\0${dataset}`, async () => {
      const conn = await this.engine.connect();
      try {
        await conn.run('BEGIN TRANSACTION');
        const result = await work(conn);
        await conn.run('COMMIT');
        return result;
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => {});
        throw asDatabaseError(error, this.file);
      } finally {
        conn.close();
      }
    });
  }
}

const HELD_BY_ANOTHER = /Could not set lock on file/;

/**
 * DuckDB lets one process at a time open a file for writing and refuses the next at once, so a second
 * `strata load` retries until the first is done, or until the timeout.
 */
async function openWaiting(file: string, { lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS, onWait }: WaitOptions): Promise<Engine> {
  const deadline = Date.now() + lockTimeoutMs;
  let told = false;
  for (;;) {
    try {
      return await Engine.open(file);
    } catch (error) {
      const message = messageOf(error);
      if (!HELD_BY_ANOTHER.test(message)) throw new StrataError('database', `cannot open the DuckDB database ${file}: ${message}`, { file });
      const holder = /held in (.*?\(PID \d+\))/.exec(message)?.[1] ?? 'another process';
      if (Date.now() >= deadline) {
        throw new StrataError('database', `the DuckDB database ${file} is still in use by ${holder} after ${lockTimeoutMs / 1000} s; try again when it is done (or raise --lock-timeout)`, { file });
      }
      if (!told) onWait?.(`waiting for ${file}: it is in use by ${holder} (up to ${lockTimeoutMs / 1000} s)`);
      told = true;
      await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
    }
  }
}

function asDatabaseError(error: unknown, file: string): unknown {
  if (error instanceof StrataError) return error;
  return new StrataError('database', `the DuckDB stage database ${file} refused: ${messageOf(error)}`, { file }, { cause: error });
}
