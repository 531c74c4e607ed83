// The columns the Parquet encoder takes: typed arrays per column, or one value for the whole column.
export type ParquetType = 'double' | 'int64' | 'boolean' | 'utf8' | 'timestamp';
export type ColumnValues =
  | { readonly kind: 'double'; readonly values: Float64Array; readonly valid: Uint8Array | null }
  | { readonly kind: 'int64'; readonly values: BigInt64Array; readonly valid: Uint8Array | null }
  | { readonly kind: 'boolean'; readonly values: Uint8Array; readonly valid: Uint8Array | null }
  | { readonly kind: 'timestamp'; readonly values: BigInt64Array; readonly valid: Uint8Array | null }
  | { readonly kind: 'utf8'; readonly values: readonly (string | null)[] }
  | { readonly kind: 'constant'; readonly type: ParquetType; readonly value: number | bigint | boolean | string | null };
export interface ParquetColumn { readonly name: string; readonly values: ColumnValues }
export interface EncodeOptions { readonly compression?: 'snappy' | 'none'; readonly createdBy?: string }
