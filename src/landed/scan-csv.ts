// One pass over a landed CSV's bytes, before DuckDB reads it: UTF-8 only, quotes where RFC 4180 puts them, one kind
// of line ending; and where the records are that hold more cells than the header.
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { StrataError, messageOf } from '../errors.js';
import { firstInvalidByte } from './strict-utf8.js';

/** A record longer than the header: its row (the header is row 1, as a spreadsheet numbers it) and its cell count. */
export interface LongRow {
  readonly row: number;
  readonly cells: number;
}

export type NewLine = '\n' | '\r\n' | '\r';

export type CsvScan =
  | {
      readonly ok: true;
      /** Records, the header included; empty lines are not records. */
      readonly records: number;
      readonly longRows: readonly LongRow[];
      /** The line ending of every record (a file of one line without one: '\n'). */
      readonly newLine: NewLine;
      /** Whether a quoted cell holds a line break (DuckDB then reads the file on one thread). */
      readonly quotedNewLines: boolean;
      /** The bytes of the longest record, its line ending left out. */
      readonly longestRecordBytes: number;
    }
  | { readonly ok: false; readonly reason: string };

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

const enum State {
  /** At the start of a cell. */
  CellStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted cell: the next byte says whether it was doubled or closed the cell. */
  QuoteInQuoted,
}

/** A problem found in the bytes: the scan stops there, and says it as the file's reason. */
const malformed = (sentence: string) => new StrataError('input', sentence);

/**
 * The rules csv-parse applied when it read landed files (quotes only at the start of a cell, a closing quote
 * followed by a comma or a line end, `""` inside quotes), so that a file strata refused before is refused still,
 * and so that DuckDB, which is lenient where these rules are strict, only ever reads files it reads the same way.
 */
class CsvScanner {
  private state = State.CellStart;
  private newLine: NewLine | undefined;
  /** A CR was the last byte of the previous chunk, outside quotes: is it CRLF or CR? */
  private pendingCr = false;
  private bytesInRecord = 0;
  private cells = 1;
  private records = 0;
  private line = 1;
  private quotedFrom = 0;
  private quotedNewLines = false;
  private longestRecordBytes = 0;
  readonly longRows: LongRow[] = [];

  constructor(private readonly headerCells: number) {}

  feed(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (n > 0 && chunk[0] === LF) {
        this.endRecord('\r\n');
        i = 1;
      } else this.endRecord('\r');
    }
    while (i < n) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.CellStart:
          if (b === QUOTE) {
            this.state = State.Quoted;
            this.quotedFrom = this.line;
            this.bytesInRecord += 1;
            i += 1;
            continue;
          }
          this.state = State.Unquoted;
        // falls through: the byte starts an unquoted cell
        case State.Unquoted: {
          // The hot loop: plain bytes of an unquoted cell.
          const start = i;
          let c = b;
          while (c !== COMMA && c !== LF && c !== CR && c !== QUOTE) {
            if (++i === n) break;
            c = chunk[i]!;
          }
          this.bytesInRecord += i - start;
          if (i === n) return;
          if (c === QUOTE) throw malformed(`line ${this.line}: a quote (") inside cell ${this.cells} that does not start with one; quote the whole cell and double the quotes inside it ("")`);
          i = this.separator(chunk, i, c);
          continue;
        }
        case State.Quoted: {
          const close = chunk.indexOf(QUOTE, i);
          const end = close === -1 ? n : close;
          for (let j = i; j < end; j += 1) {
            const c = chunk[j];
            if (c === LF || c === CR) {
              this.quotedNewLines = true;
              if (c === LF || chunk[j + 1] !== LF) this.line += 1;
            }
          }
          this.bytesInRecord += end - i;
          if (close === -1) return;
          this.state = State.QuoteInQuoted;
          this.bytesInRecord += 1;
          i = close + 1;
          continue;
        }
        case State.QuoteInQuoted:
          if (b === QUOTE) {
            this.state = State.Quoted;
            this.bytesInRecord += 1;
            i += 1;
            continue;
          }
          if (b !== COMMA && b !== LF && b !== CR) {
            throw malformed(`line ${this.line}: the quoted cell ${this.cells} is followed by ${JSON.stringify(String.fromCharCode(b))}, not by a comma or the end of the line`);
          }
          i = this.separator(chunk, i, b);
          continue;
      }
    }
  }

  /** A comma, LF or CR outside quotes, at `i`; returns where scanning goes on. */
  private separator(chunk: Uint8Array, i: number, b: number): number {
    if (b === COMMA) {
      this.cells += 1;
      this.bytesInRecord += 1;
      this.state = State.CellStart;
      return i + 1;
    }
    if (b === LF) {
      this.endRecord('\n');
      return i + 1;
    }
    if (i + 1 === chunk.length) {
      this.pendingCr = true;
      return i + 1;
    }
    if (chunk[i + 1] === LF) {
      this.endRecord('\r\n');
      return i + 2;
    }
    this.endRecord('\r');
    return i + 1;
  }

  private endRecord(newLine: NewLine): void {
    this.newLine ??= newLine;
    if (newLine !== this.newLine) {
      throw malformed(`line ${this.line} ends with ${describe(newLine)} where the lines before end with ${describe(this.newLine)}; save the file with one kind of line ending`);
    }
    this.finishRecord();
    this.line += 1;
  }

  private finishRecord(): void {
    // csv-parse's skip_empty_lines: a line with nothing on it is no record.
    if (this.bytesInRecord > 0 || this.cells > 1) {
      this.records += 1;
      if (this.bytesInRecord > this.longestRecordBytes) this.longestRecordBytes = this.bytesInRecord;
      if (this.cells > this.headerCells) this.longRows.push({ row: this.records, cells: this.cells });
    }
    this.bytesInRecord = 0;
    this.cells = 1;
    this.state = State.CellStart;
  }

  end(): CsvScan {
    if (this.pendingCr) this.endRecord('\r');
    if (this.state === State.Quoted) throw malformed(`the quoted cell that starts on line ${this.quotedFrom} is never closed`);
    this.finishRecord();
    const { records, longRows, quotedNewLines, longestRecordBytes } = this;
    return { ok: true, records, longRows, newLine: this.newLine ?? '\n', quotedNewLines, longestRecordBytes };
  }
}

const describe = (newLine: NewLine) => ({ '\n': 'LF (\\n)', '\r\n': 'CRLF (\\r\\n)', '\r': 'CR (\\r)' })[newLine];

const BOM = [0xef, 0xbb, 0xbf];
const CHUNK_BYTES = 1024 * 1024;

/** Scans `file`, whose header has `headerCells` cells; a problem is a sentence naming the line, never a throw. */
export async function scanCsv(file: string, headerCells: number): Promise<CsvScan> {
  const scanner = new CsvScanner(headerCells);
  const handle = await open(file, 'r');
  try {
    // One buffer, read into again and again: the scan keeps nothing of a chunk once it has passed it.
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const utf8 = new Utf8Check();
    for (let offset = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, offset);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      const bad = utf8.check(chunk);
      if (bad !== null) return { ok: false, reason: await notUtf8(file, offset + bad, chunk[bad] ?? 0) };
      // csv-parse's bom option, which DuckDB also follows: a UTF-8 byte order mark is not part of the header.
      const skip = offset === 0 && BOM.every((byte, k) => chunk[k] === byte) ? BOM.length : 0;
      scanner.feed(skip === 0 ? chunk : chunk.subarray(skip));
      offset += bytesRead;
    }
    if (utf8.pending()) return { ok: false, reason: 'the file ends in the middle of a UTF-8 character' };
    return scanner.end();
  } catch (error) {
    return { ok: false, reason: messageOf(error) };
  } finally {
    await handle.close();
  }
}

/**
 * UTF-8 checked a chunk at a time, a character cut by the chunk's end carried over: each chunk's bytes are checked
 * where they lie (node's isUtf8), never copied. Returns the index in the chunk of a bad byte's sequence, or null.
 */
class Utf8Check {
  private carry: number[] = [];

  check(chunk: Uint8Array): number | null {
    let start = 0;
    if (this.carry.length > 0) {
      const need = sequenceLength(this.carry[0]!) - this.carry.length;
      const joined = Uint8Array.from([...this.carry, ...chunk.subarray(0, need)]);
      if (joined.length < need + this.carry.length) {
        this.carry = [...joined];
        return null;
      }
      if (!isUtf8(joined)) return 0;
      this.carry = [];
      start = need;
    }
    const cut = completeUpTo(chunk, start);
    const body = chunk.subarray(start, cut);
    if (!isUtf8(body)) return start + firstInvalidByte(body);
    this.carry = [...chunk.subarray(cut)];
    return null;
  }

  pending(): boolean {
    return this.carry.length > 0;
  }
}

/** 1 to 4 for a lead byte; 1 for anything else (isUtf8 refuses it where it stands). */
const sequenceLength = (lead: number) => (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1);

/** Where the last complete character of `chunk` ends: a sequence cut by the chunk's end waits for the next chunk. */
function completeUpTo(chunk: Uint8Array, start: number): number {
  for (let back = 1; back <= 3 && chunk.length - back >= start; back += 1) {
    const byte = chunk[chunk.length - back]!;
    if (byte < 0x80) return chunk.length;
    if (byte >= 0xc0) return sequenceLength(byte) > back ? chunk.length - back : chunk.length;
  }
  return chunk.length;
}

/** The sentence for a byte that is not UTF-8, with its line (counted again from the start: this is the rare path). */
async function notUtf8(file: string, offset: number, byte: number): Promise<string> {
  const handle = await open(file, 'r');
  let line = 1;
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let at = 0; at < offset; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, offset - at), at);
      if (bytesRead === 0) break;
      for (let i = buffer.indexOf(0x0a); i !== -1 && i < bytesRead; i = buffer.indexOf(0x0a, i + 1)) line += 1;
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
  const hex = byte.toString(16).toUpperCase().padStart(2, '0');
  return `line ${line}, byte offset ${offset}: byte 0x${hex} is not UTF-8 (Latin-1 or Windows-1252?); save the file as UTF-8`;
}
