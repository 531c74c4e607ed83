// A throwaway PostgreSQL database for tests and benchmarks: made on the server STRATA_PG_URL names, dropped at the end.
import { randomBytes } from 'node:crypto';
import { messageOf } from '../../src/errors.js';
import { PostgresStageDatabase } from '../../src/load/postgres/postgres-stage-database.js';

export interface ScratchPostgres {
  /** The server's URL, for the admin work (CREATE / DROP DATABASE). */
  readonly adminUrl: string;
  /** The scratch database's URL, once created. */
  readonly url: string;
  /** Why the server cannot be reached, or null when it can. */
  unreachable(): Promise<string | null>;
  create(): Promise<void>;
  drop(): Promise<void>;
}

export function scratchPostgres(prefix: string, adminUrl = process.env['STRATA_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'): ScratchPostgres {
  const database = `${prefix}_${randomBytes(6).toString('hex')}`;
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const asAdmin = async (sql: string): Promise<void> => {
    const admin = await PostgresStageDatabase.open(adminUrl);
    try {
      await admin.query(sql);
    } finally {
      await admin.close();
    }
  };
  return {
    adminUrl,
    url: url.toString(),
    async unreachable() {
      try {
        await (await PostgresStageDatabase.open(adminUrl)).close();
        return null;
      } catch (error) {
        return messageOf(error);
      }
    },
    create: () => asAdmin(`CREATE DATABASE "${database}"`),
    drop: () => asAdmin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
  };
}

/** One statement on the database at `url`, on a connection of its own, and its rows. */
export async function queryPostgres<T>(url: string, sql: string): Promise<T[]> {
  const db = await PostgresStageDatabase.open(url);
  try {
    return (await db.query(sql)) as T[];
  } finally {
    await db.close();
  }
}
