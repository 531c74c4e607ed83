// Stages one raw file, all in JS: read, hash, plan, parse the table into typed columns, build the manifest row
// and encode Parquet; a file over 64 MiB is streamed instead (stage-streamed-file.ts). Runs inside a stage worker;
// the outcome is a value, and the main thread writes and publishes the file once the row passes the model
// (publish-run.ts).
import { existsSync } from 'node:fs';
import { absoluteDataPath } from '../lake/partition-path.js';
import { encodeParquet } from '../parquet/encode-parquet.js';
import { lineOffset, parseDataTable } from '../parse/data-table.js';
import { planRun } from './plan-run.js';
import { readRawFile } from './read-raw-file.js';
import { cellWarnings, dataColumns, duplicateRun, durationOf, emptyTable, manifestRow, reject, runTable, timeColumnIndex, unreadable } from './staged-run.js';
import { STREAM_ABOVE, stageStreamedFile } from './stage-streamed-file.js';
import type { StageFileContext, StageTask, WorkerOutcome } from './stage-task.js';

export type { FileOutcome, RunData, StageFileContext, StageTask, WorkerOutcome } from './stage-task.js';

export async function stageFile(task: StageTask, ctx: StageFileContext): Promise<WorkerOutcome> {
  const { file, previous } = task;
  if (file.size > (ctx.streaming?.above ?? STREAM_ABOVE)) return stageStreamedFile(task, ctx);
  let content;
  try {
    content = await readRawFile(file.absPath, file.size, ctx.readBuffer);
  } catch (error) {
    return unreadable(file, error);
  }
  // Same bytes as last time (only the mtime moved): nothing to redo.
  if (previous && !ctx.force && previous.sha1 === content.sha1 && existsSync(absoluteDataPath(ctx.stageRoot, previous.path))) {
    return { kind: 'skipped', file };
  }
  const planned = planRun(content.bytes, file, ctx.catalog, ctx);
  if (!planned.ok) return reject(file, planned.errorType, `${file.relPath}: ${planned.error}.`);
  const { plan } = planned;
  if (!(await ctx.claimRunId(plan.runId, file.relPath))) return duplicateRun(plan);
  const table = runTable(plan, ctx);
  const parsed = parseDataTable(content.bytes, {
    start: lineOffset(content.bytes, plan.skipLines + 1),
    firstLine: plan.skipLines + 1,
    fieldCount: plan.columns.length,
    columns: table.tableColumns,
    zone: ctx.localTz,
    delimiter: plan.delimiter,
  });
  if (!parsed.ok) return reject(file, 'bad-data', `${file.relPath}, ${parsed.message}.`);
  const { rows, columns, misfits, outOfRange } = parsed.table;
  if (rows === 0) return emptyTable(file);
  const warnings = cellWarnings(plan, table, misfits, outOfRange);
  const row = manifestRow(plan, content.sha1, rows, durationOf(columns[timeColumnIndex(plan, table)]), table.schema.id, warnings, ctx);
  const bytes = encodeParquet(dataColumns(plan, table, columns), rows);
  // The next files of the procedure are written with this file's columns too (the main thread's schema follows once
  // it accepts the run): a file refused before here never changes what this worker writes.
  ctx.schemas.set(plan.proc, table.schema);
  return { kind: 'ok', file, row, warnings, added: table.found, data: { kind: 'bytes', bytes } };
}
