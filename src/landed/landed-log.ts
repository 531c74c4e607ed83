// What the landed flow records about each file it checks or validates, and the log it records into.

export interface IngestionLogEntry {
  readonly file: string;
  readonly dataset: string | null;
  readonly period: string | null;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly status: 'ok' | 'refused';
  readonly reason: string | null;
}

export interface ValidationLogEntry {
  readonly file: string;
  readonly dataset: string | null;
  readonly period: string | null;
  readonly rowsRead: number;
  readonly rowsOk: number;
  readonly rowsRejected: number;
  readonly parquet: string | null;
  readonly rejects: string | null;
  readonly status: 'ok' | 'refused';
  readonly reason: string | null;
}

/** Where ingest and validate record their outcomes (meta.ingestion_log and meta.validation_log of a stage database). */
export interface LandedLog {
  logIngestion(entry: IngestionLogEntry): Promise<void>;
  logValidation(entry: ValidationLogEntry): Promise<void>;
}
