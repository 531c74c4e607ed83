// Reads the instrument header (`#Procedure:`, `#Parameters:`, `#Metadata:`, `#Data:`) and the column line after it.
import { isUtf8 } from 'node:buffer';
import { COMMA, type Delimiter } from './table-delimiter.js';

export interface InstrumentHeader {
  /** The Procedure header as written: `<laser_setup.procedures.It.It>`. */
  readonly procedure: string;
  /** The last dotted part of the procedure: `It`. */
  readonly proc: string;
  readonly parameters: ReadonlyMap<string, string>;
  readonly metadata: ReadonlyMap<string, string>;
  /** Column names as the instrument wrote them: `t (s)`, `I (A)`. */
  readonly columns: readonly string[];
  /** 1-based line number of the column line; data rows start on the next line. */
  readonly columnLine: number;
  /** Keys written more than once with different values, each value in file order; the last one is kept. */
  readonly repeated: readonly { readonly key: string; readonly values: readonly string[] }[];
}

export type HeaderProblemKind =
  | 'empty-file'
  | 'binary'
  | 'not-utf8'
  | 'no-procedure'
  | 'no-data-line'
  | 'no-columns'
  | 'no-data-rows'
  | 'duplicate-columns';

export interface HeaderProblem {
  readonly kind: HeaderProblemKind;
  readonly message: string;
  readonly line?: number;
}

export type HeaderResult = { readonly ok: true; readonly header: InstrumentHeader } | { readonly ok: false; readonly problem: HeaderProblem };

const SECTION = /^(Procedure|Parameters|Metadata|Data)\s*:\s*(.*)$/;
const ENTRY = /^([^:]+?)\s*:\s*(.*)$/;

/** Headers are a few KiB: only this much is decoded at first (more if the header runs on). */
const FIRST_READ = 64 * 1024;

/**
 * Parses the header of a file's bytes (all of them, or at least the head), splitting the column line at
 * `delimiter`. Problems are returned, never thrown.
 */
export function parseInstrumentHeader(bytes: Buffer, delimiter: Delimiter = COMMA): HeaderResult {
  if (bytes.length === 0) return fail('empty-file', 'the file is empty (0 bytes)');
  const head = bytes.subarray(0, Math.min(bytes.length, 8192));
  if (head.includes(0)) return fail('binary', 'the file holds binary data (NUL bytes), not text');
  const badByte = firstInvalidUtf8(bytes);
  if (badByte !== undefined) {
    return fail('not-utf8', notUtf8(badByte.line), badByte.line);
  }
  if (head.includes(0x0d) && !head.includes(0x0a)) {
    return fail('no-procedure', `the file's lines end in CR alone (old Mac line ends), so its '#Procedure:' header line cannot be read; save it with LF or CRLF line ends`, 1);
  }
  for (let limit = headerLength(bytes); ; limit = Math.min(bytes.length, limit * 8)) {
    const lines = bytes.subarray(0, limit).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
    const complete = limit === bytes.length;
    // A cut in the middle of a line: that line is only known to hold data if anything follows the column line.
    const rest = complete ? undefined : { partial: lines.pop() ?? '', after: bytes.subarray(limit) };
    const result = readSections(lines, rest, delimiter);
    if (result !== 'need-more') return result;
  }
}

/**
 * How many bytes to decode first: through the first line that is neither blank nor a `#` line (the column line,
 * or whatever stands where it should), at most FIRST_READ. Everything the header needs is in there; the table is
 * never decoded as text.
 */
function headerLength(bytes: Buffer): number {
  const line = firstTableLine(bytes);
  return line === undefined || line.end === line.limit ? Math.min(bytes.length, FIRST_READ) : line.end + 1;
}

/**
 * The first line that is neither blank nor a `#` line, within the first FIRST_READ bytes: the column line of a
 * PyMeasure file (or whatever stands where it should), as its bytes without the line end; empty when there is none.
 */
export function columnLineBytes(bytes: Buffer): Buffer {
  const line = firstTableLine(bytes);
  return line === undefined ? bytes.subarray(0, 0) : bytes.subarray(line.start, line.end);
}

function firstTableLine(bytes: Buffer): { start: number; end: number; limit: number } | undefined {
  const limit = Math.min(bytes.length, FIRST_READ);
  let pos = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (pos < limit) {
    const lf = bytes.indexOf(0x0a, pos);
    const end = lf < 0 || lf >= limit ? limit : lf;
    if (bytes[pos] !== 0x23 && !isBlankLine(bytes, pos, end)) return { start: pos, end, limit };
    pos = end + 1;
  }
  return undefined;
}

function isBlankLine(bytes: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  }
  return true;
}

interface Rest {
  readonly partial: string;
  readonly after: Buffer;
}

function readSections(lines: readonly string[], rest: Rest | undefined, delimiter: Delimiter): HeaderResult | 'need-more' {
  let procedure: string | undefined;
  const parameters = new Map<string, string>();
  const metadata = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  let section: Map<string, string> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (!line.startsWith('#')) {
      if (line.trim() === '') continue;
      return fail('no-data-line', `the header has no '#Data:' line before the first table line`, i + 1);
    }
    const body = line.slice(1).trim();
    const sectionMatch = SECTION.exec(body);
    if (sectionMatch && !/^[\t ]/.test(line.slice(1).replace(/^ /, ''))) {
      const name = sectionMatch[1];
      if (name === 'Procedure') procedure = sectionMatch[2]?.trim();
      else if (name === 'Parameters') section = parameters;
      else if (name === 'Metadata') section = metadata;
      else return readColumns(lines, i + 1, procedure, { parameters, metadata, repeated }, rest, delimiter);
      continue;
    }
    const entry = ENTRY.exec(body);
    if (entry && section) {
      const key = entry[1] ?? '';
      const value = (entry[2] ?? '').trim();
      const earlier = parameters.get(key) ?? metadata.get(key);
      if (earlier !== undefined && earlier !== value) repeated.set(key, [...(repeated.get(key) ?? [earlier]), value]);
      section.set(ownCopy(key), ownCopy(value));
    }
  }
  if (rest) return 'need-more';
  if (procedure === undefined) return fail('no-procedure', `the file has no '#Procedure:' header line`, 1);
  return fail('no-data-line', `the header has no '#Data:' line, so there is no table to read`);
}

function readColumns(
  lines: readonly string[],
  from: number,
  procedure: string | undefined,
  sections: { parameters: Map<string, string>; metadata: Map<string, string>; repeated: Map<string, string[]> },
  rest: Rest | undefined,
  delimiter: Delimiter,
): HeaderResult | 'need-more' {
  const { parameters, metadata, repeated } = sections;
  if (procedure === undefined || procedure === '') return fail('no-procedure', `the file has no '#Procedure:' header line`, 1);
  let i = from;
  while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
  const columnLine = lines[i];
  if (columnLine === undefined) {
    if (rest) return 'need-more';
    return fail('no-columns', `the file ends after '#Data:' (line ${from}): there is no column line and no data`, from);
  }
  const columns = columnLine.split(String.fromCharCode(delimiter)).map((c) => c.trim());
  const seen = new Set<string>();
  for (const column of columns) {
    if (column === '') return fail('no-columns', `the column line has an empty column name at line ${i + 1}`, i + 1);
    if (seen.has(column)) return fail('duplicate-columns', `the column '${column}' appears twice in the column line (line ${i + 1})`, i + 1);
    seen.add(column);
  }
  if (!hasRowsAfter(lines, i + 1, rest)) {
    return fail('no-data-rows', `the data table is empty: no rows after the column line (line ${i + 1})`, i + 1);
  }
  const proc = procedure.replace(/^<|>$/g, '').split('.').pop() ?? procedure;
  return {
    ok: true,
    header: {
      procedure: ownCopy(procedure),
      proc: ownCopy(proc),
      parameters,
      metadata,
      columns: columns.map(ownCopy),
      columnLine: i + 1,
      repeated: [...repeated].map(([key, values]) => ({ key: ownCopy(key), values: values.map(ownCopy) })),
    },
  };
}

function hasRowsAfter(lines: readonly string[], from: number, rest: Rest | undefined): boolean {
  for (let i = from; i < lines.length; i++) if ((lines[i] ?? '').trim() !== '') return true;
  if (!rest) return false;
  return rest.partial.trim() !== '' || rest.after.some((byte) => byte !== 0x0a && byte !== 0x0d && byte !== 0x20 && byte !== 0x09);
}

/**
 * A copy that owns its characters. V8 keeps substrings of 13 characters or more as slices of their parent string,
 * so without this every header value kept in the manifest would pin the file's whole decoded head (64 KiB) in
 * memory, for every run. A shorter one is a copy already; a longer one is copied by flattening it behind one more
 * character (the slice of that then holds a string of its own length), which costs less than a UTF-8 round trip.
 */
function ownCopy(text: string): string {
  return text.length < 13 ? text : ` ${text}`.slice(1);
}

function fail(kind: HeaderProblemKind, message: string, line?: number): HeaderResult {
  return { ok: false, problem: line === undefined ? { kind, message } : { kind, message, line } };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What a file with a byte that is not UTF-8 is told. */
export function notUtf8(line: number): string {
  return `the file is not valid UTF-8 text: a byte that is not UTF-8 at line ${line}`;
}

/**
 * The line (1-based, from the start of `bytes`) of the first invalid UTF-8 byte, if any (isUtf8 is native and fast;
 * the search runs only on failure).
 */
export function firstInvalidUtf8(bytes: Buffer): { line: number } | undefined {
  if (isUtf8(bytes)) return undefined;
  let start = 0;
  let line = 1;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    try {
      utf8.decode(bytes.subarray(start, end));
    } catch {
      return { line };
    }
    start = end + 1;
    line++;
  }
  return { line };
}
