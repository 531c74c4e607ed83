// Builds a Parquet file from row groups of other Parquet files, their bytes copied as they are and their offsets
// moved, under one new footer: a file grows by a row group without its other row groups being decoded or encoded
// again (the manifest grows this way, lake/manifest-appender.ts). No I/O of its own but through the given
// sources and sink. Spec: https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift
import { readThriftStruct, writeThriftStruct, fieldOf, TT, type ThriftList, type ThriftStruct } from './thrift-compact-tree.js';
import { ColumnChunk, ColumnMetaData, FileMetaData, RowGroup, SchemaElement } from './parquet-thrift.js';

const MAGIC = Uint8Array.from([0x50, 0x41, 0x52, 0x31]); // PAR1

/** Where a file's bytes come from: a whole file in memory, or positioned reads of one on disk. */
export type ByteSource = Uint8Array | { readonly size: number; read(into: Uint8Array, position: number): number };

export interface RowGroupPlace {
  readonly rows: number;
  /** The file bytes its column chunks occupy: [start, end). */
  readonly start: number;
  readonly end: number;
  readonly struct: ThriftStruct;
}

export interface ParquetFooter {
  readonly meta: ThriftStruct;
  /** The schema as its bytes: two files whose schemas are equal byte for byte can share row groups. */
  readonly schemaKey: string;
  readonly createdBy: string;
  readonly rowGroups: readonly RowGroupPlace[];
  /**
   * Whether its row groups can be moved as bytes: every column chunk in this file, no page index, bloom filter or
   * encryption outside the chunks (DuckDB and PyArrow may write those; strata's encoder does not).
   */
  readonly movable: boolean;
}

function sizeOf(source: ByteSource): number {
  return source instanceof Uint8Array ? source.length : source.size;
}

function readAt(source: ByteSource, position: number, length: number): Uint8Array {
  if (source instanceof Uint8Array) return source.subarray(position, position + length);
  const into = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = source.read(into.subarray(done), position + done);
    if (n <= 0) throw new Error(`parquet: the file ends at byte ${position + done}, inside its footer`);
    done += n;
  }
  return into;
}

/** Reads a Parquet file's footer; throws with a sentence when the bytes are not a whole Parquet file. */
export function readParquetFooter(source: ByteSource): ParquetFooter {
  const size = sizeOf(source);
  if (size < 12) throw new Error(`parquet: ${size} bytes is too short for a Parquet file`);
  const tail = readAt(source, size - 8, 8);
  if (!MAGIC.every((b, i) => tail[4 + i] === b)) throw new Error('parquet: the file does not end with PAR1 (not a whole Parquet file)');
  const length = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
  if (length + 12 > size) throw new Error(`parquet: a footer of ${length} bytes does not fit in a file of ${size}`);
  const meta = readThriftStruct(readAt(source, size - 8 - length, length)).struct;
  const schema = fieldOf(meta, FileMetaData.schema);
  const groups = (fieldOf(meta, FileMetaData.row_groups)?.value as ThriftList | undefined)?.items ?? [];
  let movable = fieldOf(meta, FileMetaData.encryption_algorithm) === undefined;
  const rowGroups = groups.map((g) => {
    const struct = g as ThriftStruct;
    let start = Infinity;
    let end = 0;
    for (const c of (fieldOf(struct, RowGroup.columns)?.value as ThriftList).items) {
      const chunk = c as ThriftStruct;
      const outside = [ColumnChunk.file_path, ColumnChunk.offset_index_offset, ColumnChunk.column_index_offset, ColumnChunk.crypto_metadata];
      if (outside.some((id) => fieldOf(chunk, id) !== undefined)) movable = false;
      const m = fieldOf(chunk, ColumnChunk.meta_data)?.value as ThriftStruct | undefined;
      if (m === undefined || fieldOf(m, ColumnMetaData.bloom_filter_offset) !== undefined) {
        movable = false;
        continue;
      }
      const first = Number((fieldOf(m, ColumnMetaData.dictionary_page_offset) ?? fieldOf(m, ColumnMetaData.data_page_offset))?.value ?? 0n);
      start = Math.min(start, first);
      end = Math.max(end, first + Number(fieldOf(m, ColumnMetaData.total_compressed_size)?.value ?? 0n));
    }
    return { rows: Number(fieldOf(struct, RowGroup.num_rows)?.value ?? 0n), start: start === Infinity ? 4 : start, end: Math.max(end, 4), struct };
  });
  const createdBy = fieldOf(meta, FileMetaData.created_by)?.value;
  return {
    meta,
    schemaKey: schema === undefined ? '' : Buffer.from(writeThriftStruct([schema])).toString('base64'),
    createdBy: createdBy instanceof Uint8Array ? Buffer.from(createdBy).toString('utf8') : '',
    rowGroups,
    movable,
  };
}

/** A copy of a row group's struct with every file offset moved by `delta` bytes. */
function moved(struct: ThriftStruct, delta: number): ThriftStruct {
  const shift = (fields: ThriftStruct, ids: readonly number[]): ThriftStruct =>
    fields.map((f) => (ids.includes(f.id) && f.type === TT.i64 ? { ...f, value: (f.value as bigint) + BigInt(delta) } : f));
  return shift(struct, [RowGroup.file_offset]).map((f) => {
    if (f.id !== RowGroup.columns) return f;
    const list = f.value as ThriftList;
    const items = list.items.map((c) =>
      shift(c as ThriftStruct, [ColumnChunk.file_offset]).map((cf) =>
        cf.id === ColumnChunk.meta_data
          ? { ...cf, value: shift(cf.value as ThriftStruct, [ColumnMetaData.data_page_offset, ColumnMetaData.index_page_offset, ColumnMetaData.dictionary_page_offset]) }
          : cf,
      ),
    );
    return { ...f, value: { elementType: list.elementType, items } };
  });
}

/**
 * A row group's struct with its chunks in the new schema's order: `places[i]` is the chunk of column i, or -1 for a
 * column it lacks, whose chunk `fill(i)` writes (its only row group's struct, already moved) and returns.
 */
function withColumns(struct: ThriftStruct, places: readonly number[], fill: (column: number) => ThriftStruct): ThriftStruct {
  const chunks = (fieldOf(struct, RowGroup.columns)!.value as ThriftList).items as ThriftStruct[];
  let added = 0n;
  const columns = places.map((place, i) => {
    if (place >= 0) return chunks[place]!;
    const group = fill(i);
    added += (fieldOf(group, RowGroup.total_byte_size)?.value as bigint | undefined) ?? 0n;
    return (fieldOf(group, RowGroup.columns)!.value as ThriftList).items[0] as ThriftStruct;
  });
  return struct.map((f) => {
    if (f.id === RowGroup.columns) return { ...f, value: { elementType: TT.struct, items: columns } };
    if (f.id === RowGroup.total_byte_size) return { ...f, value: (f.value as bigint) + added };
    return f;
  });
}

/** Row groups of one Parquet file to take into the new one, in order. */
export interface RowGroupPiece {
  readonly source: ByteSource;
  readonly footer: ParquetFooter;
  readonly groups: readonly number[];
  /**
   * For a file whose columns are some of the new file's (`widening`): a Parquet file of one row group of `rows` nulls
   * in the new file's column `column`, whose chunk fills that column in each of this file's row groups.
   */
  readonly fill?: (column: number, rows: number) => Uint8Array;
}

/** The elements of a file's schema below its root, each with its name. */
export function schemaElementsOf(footer: ParquetFooter): { readonly name: string; readonly element: ThriftStruct }[] {
  const elements = ((fieldOf(footer.meta, FileMetaData.schema)?.value as ThriftList | undefined)?.items ?? []).slice(1) as ThriftStruct[];
  return elements.map((element) => ({ name: Buffer.from(fieldOf(element, SchemaElement.name)?.value as Uint8Array).toString('utf8'), element }));
}

/** A flat schema's columns: each leaf's name and its element's bytes; null when the schema nests. */
function flatColumns(footer: ParquetFooter): { readonly names: string[]; readonly keys: string[] } | null {
  const elements = schemaElementsOf(footer);
  if (elements.some(({ element }) => fieldOf(element, SchemaElement.num_children) !== undefined)) return null;
  return { names: elements.map((e) => e.name), keys: elements.map(({ element }) => Buffer.from(writeThriftStruct(element)).toString('base64')) };
}

/**
 * Where each of `to`'s columns is in `from` (-1: `from` lacks it), when `from`'s columns are some of `to`'s, each
 * with the same type, name and field id, in any order, both flat; else null. Such a file's row groups join a file
 * of schema `to` as they are, with a chunk of nulls for each column they lack: a new column costs no rewrite.
 */
export function widening(from: ParquetFooter, to: ParquetFooter): number[] | null {
  const a = flatColumns(from);
  const b = flatColumns(to);
  if (a === null || b === null) return null;
  const at = new Map(a.keys.map((key, i) => [key, i]));
  const places = b.keys.map((key) => at.get(key) ?? -1);
  const found = places.filter((p) => p >= 0).length;
  const renamed = b.names.some((name, i) => places[i] === -1 && a.names.includes(name));
  return found === a.keys.length && !renamed ? places : null;
}

/** Where the new file's bytes go, in order. */
export interface ByteSink {
  write(bytes: Uint8Array): void;
}

const COPY_CHUNK = 1 << 20;

/**
 * Writes a Parquet file made of `pieces`' row groups, each copied byte for byte with its offsets moved, under a
 * footer like `template`'s (its schema, writer and column orders) with the new row count and row groups. Every
 * piece must be movable (readParquetFooter says) and have the template's schema, or some of its columns and a
 * `fill` for the others.
 */
export function writeRowGroups(sink: ByteSink, template: ParquetFooter, pieces: readonly RowGroupPiece[]): { readonly rows: number; readonly groups: number } {
  const writer = openRowGroupWriter(sink, template);
  for (const piece of pieces) writer.add(piece);
  return writer.finish();
}

/** writeRowGroups a piece at a time, so that a file of many pieces never holds more than one in memory. */
export function openRowGroupWriter(sink: ByteSink, template: ParquetFooter): { add(piece: RowGroupPiece): void; finish(): { readonly rows: number; readonly groups: number } } {
  sink.write(MAGIC);
  let at = MAGIC.length;
  let rows = 0;
  const structs: ThriftStruct[] = [];
  return {
    add(piece) {
      const same = piece.footer.schemaKey === template.schemaKey;
      const places = same || piece.fill === undefined ? null : widening(piece.footer, template);
      if (!same && places === null) {
        throw new Error('parquet: row groups of another schema cannot join this file (unless their columns are some of its columns, and a fill of nulls is given)');
      }
      if (!piece.footer.movable) throw new Error('parquet: these row groups cannot be moved as bytes (page indexes, bloom filters or encryption)');
      const copy = (source: ByteSource, from: number, to: number) => {
        for (let p = from; p < to; p += COPY_CHUNK) sink.write(readAt(source, p, Math.min(COPY_CHUNK, to - p)));
        at += to - from;
      };
      for (const g of piece.groups) {
        const group = piece.footer.rowGroups[g]!;
        let struct = moved(group.struct, at - group.start);
        copy(piece.source, group.start, group.end);
        if (places) struct = withColumns(struct, places, (column) => {
          const bytes = piece.fill!(column, group.rows);
          const fill = readParquetFooter(bytes).rowGroups;
          if (fill.length !== 1 || fill[0]!.rows !== group.rows) throw new Error(`parquet: a fill of ${group.rows} nulls must be one row group of as many rows`);
          const chunk = moved(fill[0]!.struct, at - fill[0]!.start);
          copy(bytes, fill[0]!.start, fill[0]!.end);
          return chunk;
        });
        structs.push(struct.map((f) => (f.id === RowGroup.ordinal ? { ...f, value: structs.length } : f)));
        rows += group.rows;
      }
    },
    finish() {
      const meta = template.meta.map((f) => {
        if (f.id === FileMetaData.num_rows) return { ...f, value: BigInt(rows) };
        if (f.id === FileMetaData.row_groups) return { ...f, value: { elementType: TT.struct, items: structs } };
        return f;
      });
      const footer = writeThriftStruct(meta);
      const tail = new Uint8Array(8);
      new DataView(tail.buffer).setUint32(0, footer.length, true);
      tail.set(MAGIC, 4);
      sink.write(footer);
      sink.write(tail);
      return { rows, groups: structs.length };
    },
  };
}
