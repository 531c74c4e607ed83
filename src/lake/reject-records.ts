// Reject records: one JSON file per raw file that could not be staged, replaced when it fails again.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { HeaderProblemKind } from '../parse/instrument-header.js';
import { writeFileAtomically } from '../fs/atomic-file.js';

/** Why a file could not be staged: a reject record's `error_type`. */
export type RejectKind =
  /** The header cannot be read (0 bytes, binary or non-UTF-8 bytes, CR-only line ends, no `#Procedure:` or `#Data:`...). */
  | HeaderProblemKind
  /** `--strict`: the procedure is not in the procedures YAML (without it, a warning). */
  | 'unknown-procedure'
  /** `--strict`: a column the YAML requires is not in the file (without it, a warning). */
  | 'missing-required-column'
  /** A table row cannot be read: a wrong number of fields (a truncated last line), or CSV that does not parse. */
  | 'bad-data'
  /** The data table has more columns than `--max-columns` allows, or would give its procedure more than that. */
  | 'too-many-columns'
  /** The procedure or the chip group cannot name a folder or file (`/`, `..`, quotes, spaces, empty...). */
  | 'unsafe-name'
  /** The table has no rows, or the run's manifest row breaks the model's rules. */
  | 'invalid-run'
  /** Another file (the same path but for letter case, the same start time) already has its run id. */
  | 'duplicate-run'
  | 'unreadable'
  /** Refused for its size by a strata before big files were streamed: such a file is tried again. */
  | 'too-large'
  /** Its data file could not be written: the disk is full (the run stops), or another write error. */
  | 'disk-full'
  | 'write-failed'
  /** strata itself failed on it: tried again on the next run, unlike every other kind. */
  | 'internal';

export interface RejectRecord {
  readonly source_file: string;
  /** A sentence a person understands, naming the file and the problem. */
  readonly error: string;
  readonly error_type: RejectKind;
  readonly ts: string;
  readonly source_size: number;
  readonly source_mtime_ms: number;
}

/** A reject record's file name: the raw file's name made safe, and a hash of its whole path (one record per file). */
export function rejectRecordName(sourceFile: string): string {
  const key = createHash('sha1').update(sourceFile).digest('hex').slice(0, 16);
  const readable = path.basename(sourceFile).replace(/[^A-Za-z0-9._-]/g, '_');
  return `${readable}.${key}.json`;
}

function recordPath(rejectsDir: string, sourceFile: string): string {
  return path.join(rejectsDir, rejectRecordName(sourceFile));
}

/** A reject record's text, on disk or in object storage. */
export function rejectRecordText(record: RejectRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

export function writeRejectRecord(rejectsDir: string, record: RejectRecord): string {
  const file = recordPath(rejectsDir, record.source_file);
  writeFileAtomically(file, rejectRecordText(record));
  return file;
}

export function removeRejectRecord(rejectsDir: string, sourceFile: string): void {
  rmSync(recordPath(rejectsDir, sourceFile), { force: true });
}

/** The reject records present, by source file (unreadable records are ignored: they are only a cache). */
export function readRejectRecords(rejectsDir: string): Map<string, RejectRecord> {
  const records = new Map<string, RejectRecord>();
  let names: string[];
  try {
    names = readdirSync(rejectsDir);
  } catch {
    return records;
  }
  for (const name of names) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    try {
      const record = JSON.parse(readFileSync(path.join(rejectsDir, name), 'utf8')) as RejectRecord;
      if (typeof record.source_file === 'string') records.set(record.source_file, record);
    } catch {
      // a damaged record is as good as none: the file is simply tried again
    }
  }
  return records;
}
