// A pass-through stream that lets only UTF-8 through: the first bad byte stops it, named by its line and byte offset.
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

const NEWLINE = 10;

/** Bytes flow on unchanged; a byte that is not UTF-8 fails the stream with "line L, byte offset B (0xNN)". */
export function strictUtf8(): Transform {
  let carry: Buffer = Buffer.alloc(0); // the bytes after the last newline seen: a line may end in a later chunk
  let carryStart = 0; // byte offset of carry[0] in the file
  let line = 1; // line number of carry[0]
  const check = (bytes: Buffer, start: number, firstLine: number): Error | null => {
    if (isUtf8(bytes)) return null;
    const at = firstInvalidByte(bytes);
    let lineOf = firstLine;
    for (let i = bytes.indexOf(NEWLINE); i !== -1 && i < at; i = bytes.indexOf(NEWLINE, i + 1)) lineOf += 1;
    const hex = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    return new Error(`line ${lineOf}, byte offset ${start + at}: byte 0x${hex} is not UTF-8 (Latin-1 or Windows-1252?); save the file as UTF-8`);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
      const lastNewline = bytes.lastIndexOf(NEWLINE);
      if (lastNewline !== -1) {
        const complete = bytes.subarray(0, lastNewline + 1);
        const error = check(complete, carryStart, line);
        if (error) return done(error);
        for (let i = complete.indexOf(NEWLINE); i !== -1; i = complete.indexOf(NEWLINE, i + 1)) line += 1;
        carryStart += complete.length;
        carry = Buffer.from(bytes.subarray(lastNewline + 1));
      } else {
        carry = bytes;
      }
      done(null, chunk);
    },
    flush(done: TransformCallback) {
      done(check(carry, carryStart, line));
    },
  });
}

/** The index of the first byte that does not belong to a well-formed UTF-8 sequence (a truncated one at the end counts). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    if (length > 1 && !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return bytes.length;
}
