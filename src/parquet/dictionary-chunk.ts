// Dictionary encoding of a chunk with few distinct values: DOUBLE (a swept voltage, an all-NaN sensor column) and
// text (a manifest's procedure, date, chip or status columns).
import { ChunkBuilder, definitionLevels, plainValue, varintBytes } from './page-writer.js';
import { Encoding } from './parquet-thrift.js';

/** Slots of the table of distinct values: a power of two, at least twice the largest dictionary (4096). */
const TABLE_SIZE = 1 << 13;
/** The table, reused: -1 is an empty slot; each call empties the slots it filled (`filled`) before it returns. */
const slots = new Int32Array(TABLE_SIZE).fill(-1);
const filled = new Int32Array(4096);
let indices = new Uint32Array(1 << 16);
const doubles = new Float64Array(4096);

/** Writes rows [start, end) as a dictionary page and one data page of bit-packed indices, or returns false. */
export function writeDoubleDictionary(
  builder: ChunkBuilder, values: Float64Array, valid: Uint8Array | null, start: number, end: number,
): boolean {
  const rows = end - start;
  const limit = Math.min(4096, rows >> 3);
  if (limit < 2) return false;
  // The distinct values go into a reused array (a page copies them out); most columns have too many anyway.
  const dictionary = doubles.subarray(0, limit);
  const rowIndices = indicesFor(rows);
  const found = distinctValues(values, valid, start, end, dictionary, rowIndices);
  if (found === null) return false;
  const { size, present } = found;
  const width = Math.max(1, Math.ceil(Math.log2(size)));
  if (present * width / 8 + size * 8 > present * 8 * 0.8) return false;
  builder.page('dictionary', size, Encoding.PLAIN, [new Uint8Array(dictionary.buffer, 0, size * 8)]);
  builder.page('data', rows, Encoding.RLE_DICTIONARY, [definitionLevels(valid, start, end), packIndices(rowIndices, present, width)]);
  return true;
}

/**
 * Writes rows [start, end) of a text column as a dictionary page and one data page of bit-packed indices when it
 * has at most a quarter as many distinct values as rows (4096 at most): the distinct values and the null count
 * (for the chunk's statistics), or null when it has more. Each distinct value is encoded to UTF-8 once: a
 * manifest's text columns were a large part of the cost of writing it.
 */
export function writeStringDictionary(
  builder: ChunkBuilder, values: readonly (string | null)[], start: number, end: number,
): { readonly distinct: readonly string[]; readonly nulls: number } | null {
  const rows = end - start;
  const limit = Math.min(4096, rows >> 2);
  if (limit < 2) return null;
  const ids = new Map<string, number>();
  const rowIndices = indicesFor(rows);
  const valid = new Uint8Array(rows);
  let present = 0;
  for (let i = start; i < end; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    valid[i - start] = 1;
    let k = ids.get(value);
    if (k === undefined) {
      if (ids.size >= limit) return null;
      k = ids.size;
      ids.set(value, k);
    }
    rowIndices[present++] = k;
  }
  if (ids.size === 0) return null; // no value at all: the plain path writes its levels alone
  const distinct = [...ids.keys()];
  const width = Math.max(1, Math.ceil(Math.log2(distinct.length)));
  builder.page('dictionary', distinct.length, Encoding.PLAIN, distinct.map((value) => plainValue('utf8', value)));
  builder.page('data', rows, Encoding.RLE_DICTIONARY, [definitionLevels(valid, 0, rows), packIndices(rowIndices, present, width)]);
  return { distinct, nulls: rows - present };
}

/** The reused index array, grown to hold `rows` (its own function: the loops that use it never see it grow). */
function indicesFor(rows: number): Uint32Array {
  if (indices.length < rows) indices = new Uint32Array(rows);
  return indices;
}

/**
 * Finds the distinct values of the present rows (by their bits, so -0 and 0 are two, a NaN's payload kept), in an
 * open-addressing table (no boxed numbers, no Map): each into `dictionary`, each row's index into `out`. Returns
 * how many values there are and how many rows are present, or null when there are more distinct values than
 * `dictionary` holds.
 */
function distinctValues(
  values: Float64Array, valid: Uint8Array | null, start: number, end: number, dictionary: Float64Array, out: Uint32Array,
): { readonly size: number; readonly present: number } | null {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const dictionaryBits = new Uint32Array(dictionary.buffer);
  const limit = dictionary.length;
  let size = 0;
  let present = 0;
  let k = 0;
  for (let i = start; i < end && k >= 0; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const lo = bits[2 * i]!;
    const hi = bits[2 * i + 1]!;
    let slot = (Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 19) & (TABLE_SIZE - 1);
    for (;;) {
      k = slots[slot]!;
      if (k < 0) {
        if (size >= limit) break; // k stays -1: too many
        k = size++;
        slots[slot] = k;
        filled[k] = slot;
        dictionaryBits[2 * k] = lo;
        dictionaryBits[2 * k + 1] = hi;
        break;
      }
      if (dictionaryBits[2 * k] === lo && dictionaryBits[2 * k + 1] === hi) break;
      slot = (slot + 1) & (TABLE_SIZE - 1);
    }
    out[present++] = k;
  }
  for (let j = 0; j < size; j++) slots[filled[j]!] = -1;
  return k < 0 ? null : { size, present };
}

/** `count` indices as one bit-packed run of `width` bits each, after its bit width byte. */
function packIndices(indices: Uint32Array, count: number, width: number): Uint8Array {
  const groups = Math.ceil(count / 8);
  const header = varintBytes(groups * 2 + 1); // a bit-packed run of `groups` groups of 8
  const packed = new Uint8Array(1 + header.length + groups * width);
  packed[0] = width;
  packed.set(header, 1);
  // Least significant bit first, a byte at a time: under 8 bits wait in `pending`, and an index has at most 12
  // (a dictionary holds at most 4096 values), so they fit in 20.
  let at = 1 + header.length;
  let pending = 0;
  let pendingBits = 0;
  for (let i = 0; i < count; i++) {
    pending |= indices[i]! << pendingBits;
    pendingBits += width;
    while (pendingBits >= 8) {
      packed[at++] = pending & 0xff;
      pending >>>= 8;
      pendingBits -= 8;
    }
  }
  if (pendingBits > 0) packed[at] = pending;
  return packed;
}
