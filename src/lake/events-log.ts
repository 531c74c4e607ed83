// The event history: one JSON line per file per stage run, in `events/<run start>-<pid>.jsonl`, appended as each file ends.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import type { RejectKind } from './reject-records.js';
import { appendWhole } from '../fs/atomic-file.js';

/** One file's outcome in one stage run; each line also holds the kind as `status`, the name events had before `kind`. */
export type StageEvent =
  | {
      readonly kind: 'ok';
      readonly source_file: string;
      readonly run_id: string;
      readonly rows: number;
      readonly path: string;
      readonly date_origin: string;
      readonly warnings: readonly string[];
      readonly ts: string;
    }
  | { readonly kind: 'skipped'; readonly source_file: string; readonly reason: string; readonly ts: string }
  /** The files a run left alone because nothing changed, counted in one line (a lake of 100,000 files wrote 100,000). */
  | { readonly kind: 'unchanged'; readonly files: number; readonly reason: string; readonly ts: string }
  | {
      readonly kind: 'reject';
      readonly source_file: string;
      readonly error: string;
      readonly error_type: RejectKind;
      readonly ts: string;
    };

export interface EventsLog {
  readonly file: string;
  /** Appends one file's event now. */
  append(event: StageEvent): void;
  /** Appends the events of one moment in one write (the files a run leaves alone, decided together at its start). */
  appendAll(events: readonly StageEvent[]): void;
  close(): void;
}

/**
 * Opens this run's events file. Each event is appended as it is recorded, one write of its whole line: a run that
 * is killed has the events of every file it finished (the main thread writes them, as it journals each run).
 */
export function openEventsLog(eventsDir: string, startedAt: Date): EventsLog {
  mkdirSync(eventsDir, { recursive: true });
  const file = path.join(eventsDir, `${eventsStamp(startedAt)}-${process.pid}.jsonl`);
  const fd = openSync(file, 'a');
  return {
    file,
    append(event) {
      appendWhole(fd, eventLine(event), file);
    },
    appendAll(events) {
      if (events.length > 0) appendWhole(fd, events.map(eventLine).join(''), file);
    },
    close() {
      closeSync(fd);
    },
  };
}

/** How an events file's name begins: when its run started, `20261207T025600Z`. */
export function eventsStamp(startedAt: Date): string {
  return startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** One event as its line of an events file. */
export function eventLine(event: StageEvent): string {
  return `${JSON.stringify({ status: event.kind, ...event })}\n`;
}
