// Parquet to CSV for COPY, in chunks: DuckDB converts the next chunk while the current one streams to PostgreSQL.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { sqlLiteral, type EngineConnection } from '../../engine/duckdb.js';
import { dataColumnListSql, type StageTable } from '../stage-database.js';

const MIN_CHUNK_ROWS = 250_000;
const CHUNKS = 8;

/**
 * The CSV text of the file's rows, in the table's column order without `_data_period` (checked before). DuckDB writes CSV the way COPY reads
 * it: NULL unquoted and empty, an empty string as "". Chunk files live in `dir` only while they stream.
 */
export async function* parquetCsvChunks(conn: EngineConnection, parquetFile: string, table: StageTable, rows: number, dir: string): AsyncGenerator<Buffer> {
  const chunkRows = Math.max(MIN_CHUNK_ROWS, Math.ceil(rows / CHUNKS));
  const chunks = Array.from({ length: Math.ceil(rows / chunkRows) }, (_, i) => ({ from: i * chunkRows, file: path.join(dir, `chunk-${i}.csv`) }));
  const convert = (i: number) => {
    const chunk = chunks[i];
    if (!chunk) return null;
    const done = conn.run(
      `COPY (SELECT ${dataColumnListSql(table)} FROM read_parquet(${sqlLiteral(parquetFile)}, file_row_number = true)
              WHERE file_row_number >= ${chunk.from} AND file_row_number < ${chunk.from + chunkRows})
         TO ${sqlLiteral(chunk.file)} (FORMAT csv, HEADER false)`,
    );
    done.catch(() => {}); // awaited below; a COPY that fails first must not leave it unhandled
    return done;
  };
  let next = convert(0);
  try {
    for (let i = 0; i < chunks.length; i += 1) {
      await next;
      next = convert(i + 1);
      const file = chunks[i]!.file;
      for await (const buffer of createReadStream(file, { highWaterMark: 1 << 20 })) yield buffer as Buffer;
      await rm(file, { force: true });
    }
  } finally {
    await next?.catch(() => {});
  }
}
