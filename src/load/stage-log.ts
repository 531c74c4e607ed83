// The meta log rows (ingestion, validation, load), written once for every database over its `execute`.
import type { IngestionLogEntry, LandedLog, ValidationLogEntry } from '../landed/landed-log.js';
import type { LoadLogEntry, SqlParam, StageDatabase } from './stage-database.js';

export interface StageLog extends LandedLog {
  logLoad(entry: LoadLogEntry): Promise<void>;
}

/** The three meta logs of `db`: each entry becomes one parameterised INSERT. */
export function stageLog(db: Pick<StageDatabase, 'execute'>): StageLog {
  const insert = (table: string, row: Readonly<Record<string, SqlParam>>): Promise<void> => {
    const names = Object.keys(row);
    return db.execute(`INSERT INTO meta.${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, Object.values(row));
  };
  return {
    logIngestion: (e: IngestionLogEntry) =>
      insert('ingestion_log', { file: e.file, dataset: e.dataset, period: e.period, size_bytes: e.sizeBytes, sha256: e.sha256, status: e.status, reason: e.reason }),
    logValidation: (e: ValidationLogEntry) =>
      insert('validation_log', {
        file: e.file, dataset: e.dataset, period: e.period, rows_read: e.rowsRead, rows_ok: e.rowsOk,
        rows_rejected: e.rowsRejected, parquet: e.parquet, rejects: e.rejects, status: e.status, reason: e.reason,
      }),
    logLoad: (e: LoadLogEntry) =>
      insert('load_log', {
        dataset: e.dataset, period: e.period, stage_table: e.table, parquet: e.parquet,
        rows_deleted: e.rowsDeleted, rows_inserted: e.rowsInserted, status: e.status, reason: e.reason,
      }),
  };
}
