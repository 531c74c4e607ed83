// Dictionary encoding of a DOUBLE chunk with few distinct values (a swept voltage, an all-NaN sensor column).
import { ChunkBuilder, definitionLevels, ENCODING_PLAIN, ENCODING_RLE_DICTIONARY } from './page-writer.js';


/** Writes rows [start, end) as a dictionary page and one data page of bit-packed indices, or returns false. */
export function writeDoubleDictionary(
  builder: ChunkBuilder, values: Float64Array, valid: Uint8Array | null, start: number, end: number,
): boolean {
  const rows = end - start;
  const limit = Math.min(4096, rows >> 3);
  if (limit < 2) return false;
  const index = new Map<number | 'negative zero', number>();
  const indices = new Uint32Array(rows);
  let present = 0;
  for (let i = start; i < end; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const x = values[i]!;
    const key = x === 0 && 1 / x < 0 ? 'negative zero' : x; // a Map takes -0 and 0 for the same key
    let k = index.get(key);
    if (k === undefined) {
      if (index.size >= limit) return false;
      k = index.size;
      index.set(key, k);
    }
    indices[present++] = k;
  }
  const width = Math.max(1, Math.ceil(Math.log2(index.size)));
  if (present * width / 8 + index.size * 8 > present * 8 * 0.8) return false;
  const dictionary = new Float64Array(index.size);
  for (const [x, k] of index) dictionary[k] = x === 'negative zero' ? -0 : x;
  builder.page('dictionary', index.size, ENCODING_PLAIN, [new Uint8Array(dictionary.buffer)]);
  const groups = Math.ceil(present / 8);
  const header: number[] = [];
  let v = groups * 2 + 1;
  while (v >= 0x80) {
    header.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  header.push(v);
  const packed = new Uint8Array(1 + header.length + groups * width);
  packed[0] = width;
  packed.set(header, 1);
  let bit = (1 + header.length) * 8;
  for (let i = 0; i < present; i++) {
    const k = indices[i]!;
    for (let b = 0; b < width; b++, bit++) if ((k >> b) & 1) packed[bit >> 3]! |= 1 << (bit & 7);
  }
  builder.page('data', rows, ENCODING_RLE_DICTIONARY, [definitionLevels(valid, start, end), packed]);
  return true;
}
