// The processed-files log (processed.jsonl): appending one whole line safely, reading new lines from a byte offset.
import { open, stat } from 'node:fs/promises';
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

/** A complete line read back: an entry, or the reason it is not one. */
export type LogLine =
  | { readonly kind: 'entry'; readonly line: number; readonly offset: number; readonly end: number; readonly entry: LogEntry }
  | { readonly kind: 'invalid'; readonly line: number; readonly offset: number; readonly end: number; readonly reason: string };

export interface LogChunk {
  readonly lines: readonly LogLine[];
  /** Where the next read starts: just after the last complete line (a torn last line is left for later). */
  readonly nextOffset: number;
  readonly nextLine: number;
}

const MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * Appends one entry as one `write` on a file opened with O_APPEND: the kernel places the whole
 * line at the end, so lines from concurrent writers never interleave or tear.
 */
export async function appendLogEntry(logPath: string, entry: LogEntry): Promise<void> {
  const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
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
export async function readLogFrom(logPath: string, offset: number, firstLine = 1, maxBytes = 1024 * 1024): Promise<LogChunk> {
  const handle = await open(logPath, 'r');
  try {
    for (let size = maxBytes; ; size *= 2) {
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buffer, 0, size, offset);
      const lastNewline = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (lastNewline >= 0) return splitLines(logPath, buffer.subarray(0, lastNewline + 1), offset, firstLine);
      if (bytesRead < size) return { lines: [], nextOffset: offset, nextLine: firstLine };
      if (size >= MAX_LINE_BYTES) {
        throw new StrataError('input', `Line ${firstLine} of ${logPath} (from byte ${offset}) is longer than 16 MB; this is not a processed-files log.`);
      }
    }
  } finally {
    await handle.close();
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
  const problem = entryProblem(value);
  if (problem) return { kind: 'invalid', line, offset, end, reason: `${where} ${problem}: ${clip(body)}` };
  return { kind: 'entry', line, offset, end, entry: value as LogEntry };
}

function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  const record = value as Record<string, unknown>;
  for (const key of ['raw', 'bronze', 'mtime', 'recorded_at'] as const) {
    if (typeof record[key] !== 'string' || record[key] === '') return `has no '${key}' text`;
  }
  if (typeof record['size'] !== 'number' || !Number.isFinite(record['size'])) return `has no 'size' number`;
  return undefined;
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
