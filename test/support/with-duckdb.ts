// Runs a piece of test code on a fresh in-memory DuckDB connection, closed afterwards.
import { Engine, type EngineConnection } from '../../src/engine/duckdb.js';

export async function withConn<T>(work: (conn: EngineConnection) => Promise<T>): Promise<T> {
  const engine = await Engine.open();
  try {
    return await work(await engine.connect());
  } finally {
    engine.close();
  }
}
