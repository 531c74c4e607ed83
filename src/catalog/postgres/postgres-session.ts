// The catalog's connection to PostgreSQL through pg: a small pool, values typed as the manifest types them
// (BIGINT as number), refusals as StrataErrors that carry their SQLSTATE, and a count of round trips.
import pg from 'pg';
import { StrataError, messageOf } from '../../errors.js';
import type { CatalogParam, CatalogSession, CatalogStatements } from '../catalog-session.js';

const INT8_OID = 20;

/**
 * BIGINT as a JS number, as the Parquet manifest reads it: sizes, counts, chip numbers and version ids all fit.
 * Set on this pool only: pg's global parsers belong to whoever else uses pg in the process.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (text: string) => Number(text) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export interface PostgresSessionOptions {
  /** Connections kept open at most (a stager claims, renews and commits at once; 4 is plenty). */
  readonly maxConnections?: number;
  /** Sent as application_name, so pg_stat_activity tells stagers apart. */
  readonly applicationName?: string;
}

export async function openPostgresSession(url: string, options: PostgresSessionOptions = {}): Promise<CatalogSession> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: 10_000,
    application_name: options.applicationName ?? 'strata-catalog',
    types,
  });
  // A server that drops an idle connection must not crash the process; the next checkout reconnects.
  pool.on('error', () => {});
  const where = describeUrl(url);
  let roundTrips = 0;

  const run = async <R extends object>(client: pg.PoolClient, sql: string, params: readonly CatalogParam[] = []): Promise<R[]> => {
    roundTrips++;
    try {
      return (await client.query(sql, params as unknown[])).rows as R[];
    } catch (error) {
      throw refusal(error, where);
    }
  };

  const withClient = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw new StrataError('database', `cannot reach the catalog's PostgreSQL at ${where}: ${messageOf(error)}`, { where });
    }
    const swallow = () => {}; // the failing query reports the error; the client must not crash the process too
    client.on('error', swallow);
    let failed = false;
    try {
      return await work(client);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      client.off('error', swallow);
      // A client that failed is dropped, not reused: its connection may be dead or mid-transaction.
      client.release(failed ? true : undefined);
    }
  };

  const session: CatalogSession = {
    where,
    roundTrips: () => roundTrips,
    query: (sql, params) => withClient((client) => run(client, sql, params)),
    transaction: (work, isolation = 'read committed') =>
      withClient(async (client) => {
        await run(client, isolation === 'read committed' ? 'BEGIN' : 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        try {
          const tx: CatalogStatements = { query: (sql, params) => run(client, sql, params) };
          const result = await work(tx);
          await run(client, 'COMMIT');
          return result;
        } catch (error) {
          // On a dead connection this fails too; the server has rolled back already.
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
      }),
    close: () => pool.end(),
  };
  await session.query('SELECT 1');
  return session;
}

/** The error a refused or failed statement becomes: the server's SQLSTATE kept in the context for retries. */
function refusal(error: unknown, where: string): StrataError {
  if (error instanceof StrataError) return error;
  if (error instanceof pg.DatabaseError) {
    return new StrataError('database', `the catalog's PostgreSQL (${where}) refused: ${error.message}`, { where, sqlState: error.code ?? null }, { cause: error });
  }
  const code = (error as NodeJS.ErrnoException).code;
  const lost = code === 'EPIPE' || code === 'ECONNRESET' || /terminat|Connection terminated/i.test(messageOf(error));
  const message = lost
    ? `the connection to the catalog's PostgreSQL (${where}) was lost mid-statement (${messageOf(error)}); PostgreSQL rolls back what an unfinished transaction did, so run it again`
    : `the catalog's PostgreSQL (${where}) failed: ${messageOf(error)}`;
  return new StrataError('database', message, { where }, { cause: error });
}

/** host:port/database, without the password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'the given URL';
  }
}
