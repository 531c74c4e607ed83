// Stages a raw file too large to hold whole: its bytes are read a buffer at a time and each run of whole rows parsed
// on its own (data-table.ts). On a thread of its own, while the next rows are parsed (row-group-writer.ts), the
// rows are gathered into row groups (table-row-groups.ts), each encoded and written to a temp file in the stage
// root as it fills. The main thread renames that file into place once the run is accepted, or removes it
// (publish-run.ts): a bad row anywhere rejects the file with its line and leaves no data file, as for a file read
// whole.
//
// What a table's reading needs from the whole file is known before its rows: the header and the types of the
// columns the YAML does not declare come from the file's first 64 KiB (plan-run.ts), as for a file read whole, so
// no later row can change a column's type; a later cell that does not fit is null and counted, as always. The SHA-1
// is taken as the bytes go by; a file staged before is hashed first, so that unchanged bytes are not staged again.
// Whether a piece of rows is read by the fast path or by csv-parse (quotes) is decided piece by piece. Row groups
// are cut where the whole-file encoder cuts them, so a streamed file is the same bytes as the file read whole.
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tempPathFor } from '../fs/atomic-file.js';
import { isDiskFull } from '../errors.js';
import { isUrlLocation } from '../lake/lake-layout.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import { ROW_GROUP_ROWS } from '../parquet/encode-parquet.js';
import { lineOffset, parseDataTable } from '../parse/data-table.js';
import { FloatArena } from '../parse/table-columns.js';
import { wholeRowsEnd } from '../parse/table-pieces.js';
import { firstInvalidUtf8, notUtf8 } from '../parse/instrument-header.js';
import { startRowGroupWriter, type RowGroupWriter } from './row-group-writer.js';
import { planRun, type RunPlan } from './plan-run.js';
import { hashRawFile, openRawFileChunks, type RawFileChunks } from './raw-file-chunks.js';
import { dataColumnLayout, duplicateRun, emptyTable, reject, runTable, stagedRun, timeColumnIndex, unreadable, type RunTable } from './staged-run.js';
import type { StageFileContext, StageTask, WorkerOutcome } from './stage-task.js';

/** What a read of the file gave: the bytes not used yet, and whether they reach its end. */
type Filled = ReturnType<RawFileChunks['fill']>;

/** Files above this size are streamed; a smaller one is read whole, into the worker's reused buffer. */
export const STREAM_ABOVE = 64 << 20;
const CHUNK_BYTES = 8 << 20;

export async function stageStreamedFile({ file, previous }: StageTask, ctx: StageFileContext): Promise<WorkerOutcome> {
  const chunkBytes = ctx.streaming?.chunkBytes ?? CHUNK_BYTES;
  let chunks: RawFileChunks;
  try {
    // Same bytes as last time (only the mtime moved): nothing to redo, which one read without parsing tells.
    if (previous && !ctx.force && existsSync(absoluteDataPath(ctx.stageRoot, previous.path)) && hashRawFile(file.absPath, chunkBytes) === previous.sha1) {
      return { kind: 'skipped', file };
    }
    chunks = openRawFileChunks(file.absPath, chunkBytes);
  } catch (error) {
    return unreadable(file, error);
  }
  try {
    return await stageChunks(file, chunks, ctx);
  } finally {
    chunks.close();
  }
}

async function stageChunks(file: StageTask['file'], chunks: RawFileChunks, ctx: StageFileContext): Promise<WorkerOutcome> {
  const head = chunks.fill();
  // The header is read from whole lines: a cut inside a character would read as a byte that is not UTF-8.
  const headLines = head.done ? head.bytes : head.bytes.subarray(0, head.bytes.lastIndexOf(0x0a) + 1 || head.bytes.length);
  const planned = planRun(headLines, file, ctx.catalog, ctx);
  if (!planned.ok) return reject(file, planned.errorType, `${file.relPath}: ${planned.error}.`);
  const { plan } = planned;
  if (!(await ctx.claimRunId(plan.runId, file.relPath))) return duplicateRun(plan);
  const spool = spoolPath(ctx.stageRoot, plan.runId);
  try {
    return await writeSpooled(file, chunks, head, plan, spool, ctx);
  } catch (error) {
    if (!isDiskFull(error)) throw error;
    // As the main thread says it of a file it writes (publish-run.ts): the run stops.
    const code = (error as NodeJS.ErrnoException).code ?? 'ENOSPC';
    return reject(file, 'disk-full', `${file.relPath}: its data file could not be written: the disk holding ${ctx.stageRoot} is full (${code}).`);
  }
}

/** Streams the table into a Parquet file at `spool`: the run, or its reject (and then no file). */
async function writeSpooled(
  file: StageTask['file'], chunks: RawFileChunks, head: Filled, plan: RunPlan, spool: string, ctx: StageFileContext,
): Promise<WorkerOutcome> {
  const table = runTable(plan, ctx);
  mkdirSync(path.dirname(spool), { recursive: true });
  const fd = openSync(spool, 'wx');
  let kept = false;
  // Each piece's buffers come back from the writer once its rows are in a row group, to parse a later piece into.
  const arena = new FloatArena();
  const writer = startRowGroupWriter(
    {
      fd,
      tableColumns: table.tableColumns,
      layout: dataColumnLayout(plan, table),
      rowGroupRows: ctx.streaming?.rowGroupRows ?? ROW_GROUP_ROWS,
      timeIndex: timeColumnIndex(plan, table),
      resident: ctx.resident === true,
    },
    (buffer) => arena.give(buffer),
  );
  try {
    const read = await readRows(chunks, head, plan, table, writer, arena, ctx);
    if (!read.ok) return reject(file, read.errorType, read.errorType === 'bad-data' ? `${file.relPath}, ${read.message}.` : `${file.relPath}: ${read.message}.`);
    const { gathered, durationS } = await writer.finish();
    if (gathered.rows === 0) return emptyTable(file);
    const outcome = stagedRun(plan, table, gathered, chunks.sha1(), durationS, { kind: 'spooled', path: spool }, ctx);
    kept = true;
    return outcome;
  } finally {
    await writer.close();
    closeSync(fd);
    if (!kept) rmSync(spool, { force: true });
  }
}

/**
 * Parses the table piece by piece, from the bytes the header was read from (`head`), handing each piece to the
 * writer and waiting for it whenever it falls behind: nothing, or the first bad row's message.
 */
async function readRows(
  chunks: RawFileChunks,
  head: Filled,
  plan: RunPlan,
  table: RunTable,
  writer: RowGroupWriter,
  arena: FloatArena,
  ctx: StageFileContext,
): Promise<{ readonly ok: true } | { readonly ok: false; readonly errorType: 'bad-data' | 'not-utf8'; readonly message: string }> {
  let { bytes, done } = head;
  let start = lineOffset(bytes, plan.skipLines + 1);
  let line = plan.skipLines + 1;
  for (;;) {
    const end = done ? bytes.length : wholeRowsEnd(bytes, start);
    if (end >= 0) {
      const piece = bytes.subarray(0, end);
      // As the whole file is checked when read whole (instrument-header.ts): its table too must be UTF-8.
      const badByte = firstInvalidUtf8(piece.subarray(start));
      if (badByte !== undefined) return { ok: false, errorType: 'not-utf8', message: notUtf8(line + badByte.line - 1) };
      const parsed = parseDataTable(piece, {
        start, firstLine: line, fieldCount: plan.columns.length, columns: table.tableColumns, zone: ctx.localTz, delimiter: plan.delimiter, arena,
      });
      if (!parsed.ok) return { ok: false, errorType: 'bad-data', message: parsed.message };
      writer.addPiece(parsed.table);
      line += parsed.table.lineFeeds;
      chunks.consume(end);
      start = 0;
      await writer.drained();
    }
    if (done) return { ok: true };
    ({ bytes, done } = chunks.fill());
  }
}

/** A hidden temp name in the stage root (a temp folder when the lake is in object storage), unique to this run. */
function spoolPath(stageRoot: string, runId: string): string {
  return tempPathFor(path.join(isUrlLocation(stageRoot) ? tmpdir() : stageRoot, `${runId}.parquet`));
}
