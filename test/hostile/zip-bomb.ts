// Zip files written by hand, so that a workbook can hold a deflate bomb (a few MB that inflate to GBs), made in ms.
import { deflateRawSync, constants } from 'node:zlib';

/** One zip entry: its name, its deflated bytes, and what its headers declare (the truth, or a forgery). */
export interface ZipEntry {
  readonly name: string;
  readonly deflated: Buffer;
  readonly crc32: number;
  readonly size: number;
}

export function deflatedEntry(name: string, bytes: Buffer): ZipEntry {
  return { name, deflated: deflateRawSync(bytes), crc32: crc32(bytes), size: bytes.length };
}

/**
 * An entry whose bytes are `head`, then `body` `times` times, then `tail`, deflated without ever holding them.
 * Each piece is deflated alone and ended by a full flush: the stream is then byte-aligned and refers to nothing
 * before it, so the compressed pieces can be repeated and joined into one valid deflate stream. The CRC-32 of the
 * whole is combined from the pieces' (zlib's crc32_combine), so nothing of the inflated size is ever computed.
 */
export function repeatedEntry(name: string, head: Buffer, body: Buffer, times: number, tail: Buffer): ZipEntry {
  const flushed = (bytes: Buffer) => deflateRawSync(bytes, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const bodyDeflated = flushed(body);
  const deflated = Buffer.concat([flushed(head), ...Array.from({ length: times }, () => bodyDeflated), deflateRawSync(tail)]);
  let bodiesCrc = 0;
  let bodiesLength = 0;
  // The CRC of `body` repeated: doubled by squaring, as a number is raised to a power.
  let powerCrc = crc32(body);
  let powerLength = body.length;
  for (let n = times; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) {
      bodiesCrc = crc32Combine(bodiesCrc, powerCrc, powerLength);
      bodiesLength += powerLength;
    }
    powerCrc = crc32Combine(powerCrc, powerCrc, powerLength);
    powerLength *= 2;
  }
  const crc = crc32Combine(crc32Combine(crc32(head), bodiesCrc, bodiesLength), crc32(tail), tail.length);
  return { name, deflated, crc32: crc, size: head.length + bodiesLength + tail.length };
}

/** The zip of `entries` (deflated, no zip64: each entry declares its size in 32 bits). */
export function zipOf(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    if (entry.size > 0xffffffff) throw new Error(`${entry.name}: ${entry.size} bytes need zip64`);
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // the name is UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00
    local.writeUInt32LE(entry.crc32 >>> 0, 14);
    local.writeUInt32LE(entry.deflated.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    local.copy(central, 8, 6, 28); // flags, method, time, crc, sizes, name length
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.deflated);
    centrals.push(central, name);
    offset += local.length + name.length + entry.deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** The CRC-32 of A then B, from CRC(A), CRC(B) and B's length (zlib's crc32_combine, over GF(2)). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0;
  const times = (matrix: Uint32Array, vector: number): number => {
    let sum = 0;
    for (let i = 0, v = vector >>> 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= matrix[i]!;
    return sum >>> 0;
  };
  const square = (out: Uint32Array, matrix: Uint32Array): void => {
    for (let n = 0; n < 32; n++) out[n] = times(matrix, matrix[n]!);
  };
  const odd = new Uint32Array(32);
  const even = new Uint32Array(32);
  odd[0] = 0xedb88320; // the operator for one zero bit
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  square(even, odd); // two zero bits
  square(odd, even); // four zero bits
  let crc = crcA >>> 0;
  let length = lengthB;
  for (;;) {
    square(even, odd); // the first pass: one zero byte
    if (length % 2 === 1) crc = times(even, crc);
    length = Math.floor(length / 2);
    if (length === 0) break;
    square(odd, even);
    if (length % 2 === 1) crc = times(odd, crc);
    length = Math.floor(length / 2);
    if (length === 0) break;
  }
  return (crc ^ crcB) >>> 0;
}
