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
import { dataColumns, duplicateRun, durationOf, emptyTable, reject, runTable, stagedRun, timeColumnIndex, unreadable } from './staged-run.js';
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
  const read = parsed.table;
  if (read.rows === 0) return emptyTable(file);
  const bytes = encodeParquet(dataColumns(plan, table, read.columns), read.rows);
  return stagedRun(plan, table, read, content.sha1, durationOf(read.columns[timeColumnIndex(plan, table)]), { kind: 'bytes', bytes }, ctx);
}
