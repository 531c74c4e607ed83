// The processed-files log (processed.jsonl): appending one whole line safely, reading new lines from a byte offset.
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { StrataError } from '../errors.js';

/** One line of the log: a raw file was copied or moved to its bronze location. */
export interface LogEntry {
  readonly raw: string;
  readonly bronze: string;
  /** The bronze file's modification time, ISO-8601 UTC with milliseconds. */
  readonly mtime: string;
  readonly size: number;
  /** When the line was appended, ISO-8601 UTC. */
  readonly recorded_at: string;
}

/**
 * A line read back, in either shape: strata's own (above) or the design's producer's,
 * `{"raw": ..., "bronze": ..., "mtime": 1737200000.0}` (epoch seconds, no size, no recorded_at).
 * `mtime` is always ISO-8601 UTC here; what a line does not say is null.
 */
export interface LoggedFile {
  readonly raw: string;
  readonly bronze: string;
  readonly mtime: string;
  readonly size: number | null;
  readonly recorded_at: string | null;
}

/** A complete line read back: an entry, or the reason it is not one. */
export type LogLine =
  | { readonly kind: 'entry'; readonly line: number; readonly offset: number; readonly end: number; readonly entry: LoggedFile }
  | { readonly kind: 'invalid'; readonly line: number; readonly offset: number; readonly end: number; readonly reason: string };

export interface LogChunk {
  readonly lines: readonly LogLine[];
  /** Where the next read starts: just after the last complete line (a torn last line is left for later). */
  readonly nextOffset: number;
  readonly nextLine: number;
}

/** A line longer than this is one invalid line (skipped to its newline), never a stop. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const SCAN_BYTES = 1024 * 1024;

/**
 * The folder a log's relative paths are relative to. In the design's layout the log is
 * `<dataset>/manifests/processed.jsonl` beside `<dataset>/bronze/` and `raw/env0/...` paths, so a log in a
 * folder named `manifests` resolves from that folder's parent; any other log, from its own folder.
 */
export function logBaseDir(logPath: string): string {
  const folder = path.dirname(path.resolve(logPath));
  return path.basename(folder) === 'manifests' ? path.dirname(folder) : folder;
}

/** A path from a log line, made absolute as `logBaseDir` says. */
export function resolveLogged(logPath: string, logged: string): string {
  return path.resolve(logBaseDir(logPath), logged);
}

/**
 * Appends one entry as one `write` on a file opened with O_APPEND: the kernel places the whole
 * line at the end, so lines from concurrent writers never interleave or tear.
 */
export async function appendLogEntry(logPath: string, entry: LogEntry): Promise<void> {
  const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
  await mkdir(path.dirname(logPath), { recursive: true });
  const handle = await open(logPath, 'a');
  try {
    const { bytesWritten } = await handle.write(line, 0, line.length);
    // A short write (disk full) cannot be completed without risking interleaving with another writer.
    if (bytesWritten !== line.length) {
      throw new StrataError('input', `Only ${bytesWritten} of ${line.length} bytes could be appended to ${logPath}; is the disk full?`);
    }
  } finally {
    await handle.close();
  }
}

/** Builds the entry for a processed file from the bronze copy on disk (or the raw file when the copy is not there yet). */
export async function recordProcessedFile(
  logPath: string,
  files: { readonly raw: string; readonly bronze: string },
  now: Date = new Date(),
): Promise<LogEntry> {
  const info = await stat(files.bronze).catch(() => stat(files.raw)).catch(() => {
    throw new StrataError('input', `Neither the bronze file ${files.bronze} nor the raw file ${files.raw} exists, so there is nothing to record.`);
  });
  const entry: LogEntry = {
    raw: files.raw,
    bronze: files.bronze,
    mtime: info.mtime.toISOString(),
    size: info.size,
    recorded_at: now.toISOString(),
  };
  await appendLogEntry(logPath, entry);
  return entry;
}

/**
 * Reads the complete lines after `offset` (at most about `maxBytes` of them). A last line without
 * its newline is a writer still writing (or one that died): it is not returned and `nextOffset` stays before it.
 */
export async function readLogFrom(
  logPath: string,
  offset: number,
  firstLine = 1,
  maxBytes = 1024 * 1024,
  maxLineBytes = MAX_LINE_BYTES,
): Promise<LogChunk> {
  const handle = await open(logPath, 'r');
  try {
    for (let size = Math.min(maxBytes, maxLineBytes); ; size = Math.min(size * 2, maxLineBytes)) {
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buffer, 0, size, offset);
      const lastNewline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (lastNewline >= 0) return splitLines(logPath, buffer.subarray(0, lastNewline + 1), offset, firstLine);
      if (bytesRead < size) return { lines: [], nextOffset: offset, nextLine: firstLine };
      if (size >= maxLineBytes) return await overlongLine(handle, logPath, offset + size, offset, firstLine, maxLineBytes);
    }
  } finally {
    await handle.close();
  }
}

/** Skips a line longer than the limit to its newline: one invalid line. Without a newline yet, it waits like a torn line. */
async function overlongLine(
  handle: Awaited<ReturnType<typeof open>>,
  logPath: string,
  from: number,
  offset: number,
  line: number,
  maxLineBytes: number,
): Promise<LogChunk> {
  const buffer = Buffer.alloc(SCAN_BYTES);
  for (let at = from; ; at += SCAN_BYTES) {
    const { bytesRead } = await handle.read(buffer, 0, SCAN_BYTES, at);
    const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (newline >= 0) {
      const end = at + newline + 1;
      const reason = `Line ${line} of ${path.basename(logPath)} (from byte ${offset}) is ${end - 1 - offset} bytes long, more than the ${maxLineBytes} a log line may have; skipped`;
      return { lines: [{ kind: 'invalid', line, offset, end, reason }], nextOffset: end, nextLine: line + 1 };
    }
    if (bytesRead < SCAN_BYTES) return { lines: [], nextOffset: offset, nextLine: line };
  }
}

function splitLines(logPath: string, text: Buffer, offset: number, firstLine: number): LogChunk {
  const lines: LogLine[] = [];
  let start = 0;
  let line = firstLine;
  const name = path.basename(logPath);
  while (start < text.length) {
    const end = text.indexOf(0x0a, start) + 1;
    const body = text.subarray(start, end - 1).toString('utf8').replace(/\r$/, '');
    if (body.trim() !== '') lines.push(parseLine(name, body, line, offset + start, offset + end));
    start = end;
    line += 1;
  }
  return { lines, nextOffset: offset + text.length, nextLine: line };
}

function parseLine(logName: string, body: string, line: number, offset: number, end: number): LogLine {
  const where = `Line ${line} of ${logName}`;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'invalid', line, offset, end, reason: `${where} is not JSON: ${clip(body)}` };
  }
  const read = loggedFile(value);
  if (!read.ok) return { kind: 'invalid', line, offset, end, reason: `${where} ${read.problem}: ${clip(body)}` };
  return { kind: 'entry', line, offset, end, entry: read.entry };
}

type Read = { readonly ok: true; readonly entry: LoggedFile } | { readonly ok: false; readonly problem: string };

function loggedFile(value: unknown): Read {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'is not a JSON object' };
  const record = value as Record<string, unknown>;
  const { raw, bronze, mtime, size, recorded_at: recordedAt } = record;
  if (typeof raw !== 'string' || raw === '') return { ok: false, problem: "has no 'raw' text" };
  if (typeof bronze !== 'string' || bronze === '') return { ok: false, problem: "has no 'bronze' text" };
  // No file system takes a NUL in a path; Node would refuse it with an internal error, far from the line.
  for (const [key, value] of [['raw', raw], ['bronze', bronze]] as const) {
    if (value.includes('\0')) return { ok: false, problem: `has a NUL character in its '${key}' path, which no file can have` };
  }
  const when = mtimeOf(mtime);
  if (when === undefined) return { ok: false, problem: "has no 'mtime' (epoch seconds, or an ISO-8601 time)" };
  if (size !== undefined && size !== null && (typeof size !== 'number' || !Number.isFinite(size) || size < 0)) {
    return { ok: false, problem: "has a 'size' that is not a number of bytes" };
  }
  if (recordedAt !== undefined && recordedAt !== null && typeof recordedAt !== 'string') return { ok: false, problem: "has a 'recorded_at' that is not text" };
  return { ok: true, entry: { raw, bronze, mtime: when, size: typeof size === 'number' ? size : null, recorded_at: recordedAt ?? null } };
}

/** Epoch seconds (Python's `os.stat().st_mtime`) or ISO-8601 text, as ISO-8601 UTC; undefined when it is neither. */
function mtimeOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && value < 1e11 ? new Date(value * 1000).toISOString() : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time.toISOString();
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
