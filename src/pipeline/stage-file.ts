// Stages one raw file, all in JS: read, hash, plan, parse the table into typed columns, build the manifest row
// and encode Parquet; a file over 64 MiB is streamed instead (stage-streamed-file.ts). Runs inside a stage worker.
// In a local stage root the worker writes the data file beside its final name, under a hidden temp name; the main
// thread renames it into place once the row passes the model, or removes it (publish-run.ts).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeEmptyFolder, tempPathFor } from '../fs/atomic-file.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import { encodeParquet } from '../parquet/encode-parquet.js';
import { lineOffset, parseDataTable } from '../parse/data-table.js';
import { planRun } from './plan-run.js';
import { readRawFile } from './read-raw-file.js';
import { dataColumns, duplicateRun, durationOf, emptyTable, reject, runTable, stagedRun, timeColumnIndex, unreadable, writeReject } from './staged-run.js';
import { STREAM_ABOVE, stageStreamedFile } from './stage-streamed-file.js';
import type { RunData, StageFileContext, StageTask, WorkerOutcome } from './stage-task.js';

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
  let data: RunData = { kind: 'bytes', bytes };
  if (ctx.writesDataFiles) {
    const target = absoluteDataPath(ctx.stageRoot, plan.dataPath);
    const temp = tempPathFor(target);
    try {
      mkdirSync(path.dirname(target), { recursive: true });
      // writeFileSync writes until all of it is written: a disk that fills mid-file ends it with ENOSPC.
      writeFileSync(temp, bytes);
    } catch (error) {
      try {
        rmSync(temp, { force: true });
      } catch {
        // the temp file could not be made either (a folder that is a file): nothing to remove
      }
      removeEmptyFolder(path.dirname(target));
      return writeReject(file, ctx.stageRoot, `written to ${plan.dataPath}`, error);
    }
    data = { kind: 'written', path: temp };
  }
  return stagedRun(plan, table, read, content.sha1, durationOf(read.columns[timeColumnIndex(plan, table)]), data, ctx);
}
