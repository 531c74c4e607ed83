// Parquet samples: the first N rows as Parquet, through DuckDB, which reads only the row groups a LIMIT needs.
import { sqlLiteral } from '../engine/duckdb.js';
import { messageOf } from '../errors.js';
import { writeViaTemp } from '../fs/atomic-file.js';
import { SampleProblem, type SampleWritten, type Sampler } from './sample-types.js';

export const sampleParquet: Sampler = async (input, output, context): Promise<SampleWritten> => {
  const db = await context.duckdb();
  try {
    await writeViaTemp(output, (temp) =>
      db.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(input)}) LIMIT ${context.rows}) TO ${sqlLiteral(temp)} (FORMAT parquet)`),
    );
  } catch (error) {
    throw new SampleProblem(`is not a readable Parquet file (${firstLine(messageOf(error))})`);
  }
  const [meta] = await db.all<{ rows: number; bytes: number }>(
    `SELECT sum(num_rows)::BIGINT AS rows, (SELECT size FROM read_blob(${sqlLiteral(output)})) AS bytes FROM parquet_file_metadata(${sqlLiteral(output)})`,
  );
  return { rows: meta?.rows ?? 0, bytes: meta?.bytes ?? 0 };
};

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
