// parquet.thrift's numbers that strata writes or reads, under the spec's own names: each struct's field ids and each
// enum's values, so that `f.i32(SchemaElement.field_id, id)` reads as the spec does.
// Spec: https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift

/** The root of a file's footer. */
export const FileMetaData = {
  version: 1, schema: 2, num_rows: 3, row_groups: 4, created_by: 6, column_orders: 7, encryption_algorithm: 8,
} as const;

/** One node of the schema: the root (name and num_children) or a column. */
export const SchemaElement = {
  type: 1, repetition_type: 3, name: 4, num_children: 5, converted_type: 6, field_id: 9, logicalType: 10,
} as const;

export const RowGroup = { columns: 1, total_byte_size: 2, num_rows: 3, file_offset: 5, ordinal: 7 } as const;

export const ColumnChunk = {
  file_path: 1, file_offset: 2, meta_data: 3, offset_index_offset: 4, column_index_offset: 6, crypto_metadata: 8,
} as const;

export const ColumnMetaData = {
  type: 1, encodings: 2, path_in_schema: 3, codec: 4, num_values: 5, total_uncompressed_size: 6,
  total_compressed_size: 7, data_page_offset: 9, index_page_offset: 10, dictionary_page_offset: 11, statistics: 12,
  bloom_filter_offset: 14,
} as const;

/** `max` and `min` are the deprecated pair, kept for readers that know only them (signed sort order only). */
export const Statistics = { max: 1, min: 2, null_count: 3, max_value: 5, min_value: 6 } as const;

/** A union: one field, named after the logical type. */
export const LogicalType = { TIMESTAMP: 8 } as const;
export const TimestampType = { isAdjustedToUTC: 1, unit: 2 } as const;
/** A union of empty structs. */
export const TimeUnit = { MICROS: 2 } as const;
/** A union of empty structs. */
export const ColumnOrder = { TYPE_ORDER: 1 } as const;

export const PageHeader = {
  type: 1, uncompressed_page_size: 2, compressed_page_size: 3, data_page_header: 5, dictionary_page_header: 7,
} as const;
export const DataPageHeader = { num_values: 1, encoding: 2, definition_level_encoding: 3, repetition_level_encoding: 4 } as const;
export const DictionaryPageHeader = { num_values: 1, encoding: 2 } as const;

// Enums.
export const Type = { BOOLEAN: 0, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
export const ConvertedType = { UTF8: 0, TIMESTAMP_MILLIS: 9, TIMESTAMP_MICROS: 10, INT_64: 18 } as const;
export const FieldRepetitionType = { OPTIONAL: 1 } as const;
export const Encoding = { PLAIN: 0, RLE: 3, RLE_DICTIONARY: 8 } as const;
export const CompressionCodec = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2 } as const;
export const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;

/** A field id's range: parquet.thrift's `i32 field_id`. */
export const FIELD_ID_MAX = 2 ** 31 - 1;
