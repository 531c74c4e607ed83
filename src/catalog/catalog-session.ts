// What the catalog needs of a PostgreSQL connection, without naming the driver: statements, transactions, and a
// count of round trips (the figure the scale benchmark reports per staged file).
import { StrataError } from '../errors.js';

/** A value bound to a `$n` placeholder. Arrays travel as PostgreSQL arrays, objects as JSON. */
export type CatalogParam = string | number | boolean | Date | null | readonly (string | number | boolean | Date | null)[] | object;

/** Runs statements on one connection; every call is one round trip to the server. */
export interface CatalogStatements {
  query<R extends object>(sql: string, params?: readonly CatalogParam[]): Promise<R[]>;
}

export interface CatalogSession extends CatalogStatements {
  /**
   * BEGIN, `work` on one connection, COMMIT (ROLLBACK when it throws). `isolation` is READ COMMITTED unless said;
   * a read-only snapshot takes `repeatable read only`.
   */
  transaction<T>(work: (tx: CatalogStatements) => Promise<T>, isolation?: 'read committed' | 'repeatable read only'): Promise<T>;
  /** Round trips to the server so far (each statement, BEGIN and COMMIT count one; connecting does not). */
  roundTrips(): number;
  /** host:port/database, without the password, for messages. */
  readonly where: string;
  close(): Promise<void>;
}

/** The SQLSTATE of a refusal the server sent (`23505`, `40P01`...), or null for any other failure. */
export function sqlStateOf(error: unknown): string | null {
  const state = error instanceof StrataError ? error.context['sqlState'] : undefined;
  return typeof state === 'string' ? state : null;
}

/** Refusals that say "run it again": a unique key another transaction took meanwhile, a deadlock, a serialisation. */
const RETRYABLE = new Set(['23505', '40P01', '40001']);

/**
 * Runs `statement` again when the server refused it for a race another transaction won (it rolled back whole,
 * so running it again is exact); the last refusal is thrown.
 */
export async function retryingRaces<T>(statement: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if (attempt >= attempts || !RETRYABLE.has(sqlStateOf(error) ?? '')) throw error;
    }
  }
}
