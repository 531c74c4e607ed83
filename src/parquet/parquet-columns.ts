// The typed columns the Parquet encoder takes: one value array per column, nulls as a validity mask.

export type ParquetType = 'double' | 'int64' | 'boolean' | 'utf8' | 'timestamp';
// timestamp = INT64 with logical type TIMESTAMP(isAdjustedToUTC=true, unit=MICROS); values are microseconds.

export type ColumnValues =
  | { readonly kind: 'double'; readonly values: Float64Array; readonly valid: Uint8Array | null } // valid[i]=0: null
  | { readonly kind: 'int64'; readonly values: BigInt64Array; readonly valid: Uint8Array | null }
  | { readonly kind: 'boolean'; readonly values: Uint8Array; readonly valid: Uint8Array | null } // 0/1
  | { readonly kind: 'timestamp'; readonly values: BigInt64Array; readonly valid: Uint8Array | null } // micros UTC
  | { readonly kind: 'utf8'; readonly values: readonly (string | null)[] }
  | {
      readonly kind: 'constant';
      readonly type: ParquetType;
      readonly value: number | bigint | boolean | string | null;
    };
// constant: the same value on every row (null: an all-null column), written as a one-entry dictionary and ONE RLE
// run, O(1) whatever the row count (for a null constant: definition levels as one RLE run, no values).

export interface ParquetColumn {
  readonly name: string;
  readonly values: ColumnValues;
  /**
   * The column's Parquet field id (SchemaElement.field_id, a whole number from 0 to 2^31 - 1, unique in the file):
   * the key by which a table format (Iceberg, Delta's column mapping) finds a column whatever its name or
   * position. Omitted, the file's schema has none for this column.
   */
  readonly fieldId?: number;
}

/** 'auto' (the default): gzip for large pages, snappy for small ones (page-writer.ts says why). */
export type Compression = 'auto' | 'gzip' | 'snappy' | 'none';

export interface EncodeOptions {
  readonly compression?: Compression;
  readonly createdBy?: string;
}
