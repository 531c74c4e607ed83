// The server stage database: PostgreSQL, loads through COPY FROM STDIN under an advisory lock per dataset.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Engine } from '../../engine/duckdb.js';
import { StrataError, messageOf } from '../../errors.js';
import { checkPeriodParquet } from '../check-period-parquet.js';
import { parquetBinaryCopy } from './parquet-binary-copy.js';
import { applyMigrations } from '../migrations.js';
import { quoteIdentifier, sqlLiteral } from '../../sql/quote.js';
import { POSTGRES_CAPABILITIES, partitionName } from './postgres-capabilities.js';
import {
  STAGE_COLUMNS_SQL,
  checkStageColumns,
  dataColumnListSql,
  createStageTableSql,
  stageTableName,
  type ReplacePeriodRequest,
  type ReplacePeriodResult,
  type SqlParam,
  type StageDatabase,
  type StageTable,
  type WaitOptions,
  DEFAULT_LOCK_TIMEOUT_MS,
} from '../stage-database.js';

/** The first half of every advisory lock key strata takes, so its locks never collide with other tools'. */
const LOCK_NAMESPACE = 0x5354_5241; // 'STRA'

export class PostgresStageDatabase implements StageDatabase {
  readonly capabilities = POSTGRES_CAPABILITIES;
  private duckdb: Engine | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
    private readonly wait: WaitOptions,
  ) {}

  static async open(url: string, wait: WaitOptions = {}): Promise<PostgresStageDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 10_000 });
    // A server that drops an idle connection must not crash the process; the next checkout reconnects.
    pool.on('error', () => {});
    const db = new PostgresStageDatabase(pool, describeUrl(url), wait);
    await db.withClient(() => Promise.resolve());
    return db;
  }

  async migrate(): Promise<void> {
    await this.inTransaction('migrations', (client) =>
      applyMigrations({ run: (sql) => client.query(sql), rows: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[] }),
    );
  }

  async execute(sql: string, params: readonly SqlParam[]): Promise<void> {
    await this.withClient((client) => client.query(sql, [...params]));
  }

  async replacePeriod(request: ReplacePeriodRequest): Promise<ReplacePeriodResult> {
    const { table, period, parquetFile } = request;
    // One DuckDB thread reads the Parquet file while this process encodes and the PostgreSQL backend stores: they share the cores.
    this.duckdb ??= await Engine.open(':memory:', { threads: 1 });
    const conn = await this.duckdb.connect();
    let rows: AsyncGenerator<Buffer> | undefined;
    try {
      // Checked before the transaction: a file with rows of another period never gets near the table.
      await checkPeriodParquet(conn, request);
      const binary = () => Readable.from((rows = parquetBinaryCopy(conn, parquetFile, table)));
      return await this.inTransaction(table.dataset, (client) => swapPeriodPartition(client, table, period, binary));
    } finally {
      // A failed COPY stops the rows; DuckDB may still be reading the next chunk, which must end before its connection does.
      await rows?.return(undefined);
      conn.close();
    }
  }

  async runScript(dataset: string, sql: string): Promise<void> {
    await this.inTransaction(dataset, (client) => client.query(sql));
  }

  async query(sql: string, params: readonly SqlParam[] = []): Promise<Record<string, unknown>[]> {
    return this.withClient(async (client) => (await client.query(sql, [...params])).rows as Record<string, unknown>[]);
  }

  async close(): Promise<void> {
    this.duckdb?.close();
    await this.pool.end();
  }

  /** BEGIN, the dataset's advisory lock (held to COMMIT or ROLLBACK, so loads queue), the work, COMMIT. */
  private inTransaction<T>(dataset: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      try {
        await client.query('BEGIN');
        await this.lockDataset(client, dataset);
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // On a killed connection this fails too; the server has rolled back already.
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  /** The dataset's advisory lock, held to COMMIT or ROLLBACK; a wait for it is said, and ends at the timeout. */
  private async lockDataset(client: pg.PoolClient, dataset: string): Promise<void> {
    const key = [LOCK_NAMESPACE, dataset];
    const tried = await client.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1::int, hashtext($2)) AS got', key);
    if (tried.rows[0]?.got === true) return;
    const timeout = this.wait.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.wait.onWait?.(`waiting for another load of dataset '${dataset}' on ${this.where} (up to ${timeout / 1000} s)`);
    await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.trunc(timeout))}`);
    try {
      await client.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', key);
    } catch (error) {
      if (!(error instanceof pg.DatabaseError) || error.code !== '55P03') throw error; // 55P03: lock_not_available
      throw new StrataError('database', `another load of dataset '${dataset}' on ${this.where} still held its lock after ${timeout / 1000} s; try again when it is done (or raise --lock-timeout)`, { dataset });
    }
    await client.query('SET LOCAL lock_timeout = 0');
  }

  private async withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new StrataError('database', `cannot reach PostgreSQL at ${this.where}: ${messageOf(error)}`, { where: this.where });
    }
    const swallow = () => {}; // the failing query reports the error; the client must not crash the process too
    client.on('error', swallow);
    let failure: unknown;
    try {
      return await work(client);
    } catch (error) {
      failure = error;
      if (error instanceof StrataError) throw error;
      // A connection the server ends mid-COPY fails the client's next write (EPIPE) or read (ECONNRESET), before
      // the server's own "terminating connection" message is read: the same event, told the same way.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE' || code === 'ECONNRESET') {
        throw new StrataError('database', `the connection to PostgreSQL (${this.where}) was lost mid-statement (${messageOf(error)}); PostgreSQL rolls back what an unfinished transaction did, so run it again`, {}, { cause: error });
      }
      throw new StrataError('database', `PostgreSQL (${this.where}) refused: ${messageOf(error)}`, {}, { cause: error });
    } finally {
      client.off('error', swallow);
      // A client that failed is dropped, not reused: its connection may be dead or mid-COPY.
      client.release(failure === undefined ? undefined : true);
    }
  }
}

/**
 * Each period is its own partition of stage.<table>. The new rows are copied into a fresh table
 * (COPY FREEZE: created in this transaction), indexed once at ATTACH, and swapped for the old
 * partition: replacing a period costs what a first load costs, never a DELETE of millions of rows.
 */
async function swapPeriodPartition(client: pg.PoolClient, table: StageTable, period: string, rows: () => Readable): Promise<ReplacePeriodResult> {
  await client.query(createStageTableSql(table, POSTGRES_CAPABILITIES));
  checkStageColumns(table, (await client.query<{ column_name: string }>(STAGE_COLUMNS_SQL, [table.name])).rows.map((r) => r.column_name));
  const partition = `stage.${quoteIdentifier(partitionName(table, period))}`;
  const incoming = quoteIdentifier(partitionName(table, period, 'incoming'));
  // `_data_period` is the column default while copying, so COPY reads one column fewer per row.
  await client.query(`CREATE TABLE stage.${incoming} (LIKE ${stageTableName(table)} INCLUDING CONSTRAINTS,
    CHECK ("_data_period" = ${sqlLiteral(period)}));
    ALTER TABLE stage.${incoming} ALTER COLUMN "_data_period" SET DEFAULT ${sqlLiteral(period)};`);
  const copy = client.query(copyFrom(`COPY stage.${incoming} (${dataColumnListSql(table)}) FROM STDIN (FORMAT binary, FREEZE)`));
  await pipeline(rows(), copy);
  await client.query(`ALTER TABLE stage.${incoming} ALTER COLUMN "_data_period" DROP DEFAULT`);
  const old = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${stageTableName(table)} WHERE "_data_period" = $1`, [period]);
  await client.query(`DROP TABLE IF EXISTS ${partition}`);
  await client.query(`ALTER TABLE stage.${incoming} RENAME TO ${quoteIdentifier(partitionName(table, period))}`);
  await client.query(`ALTER TABLE ${stageTableName(table)} ATTACH PARTITION ${partition} FOR VALUES IN (${sqlLiteral(period)})`);
  return { rowsDeleted: Number(old.rows[0]?.n ?? 0), rowsInserted: copy.rowCount };
}

/** host:port/database, without the password. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the given URL';
  }
}
