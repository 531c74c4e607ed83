// Big raw files are streamed: read a buffer at a time, parsed in pieces of whole rows, written in row groups to a
// temp file that is renamed into place once the run is accepted (issue 25). The files here are a few MB, streamed
// with small buffers and row groups so that they are cut many times.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { loadProcedureCatalog } from '../../src/schema/procedures-schema.js';
import { SHIPPED_PROCEDURES_YAML } from '../../src/schema/shipped-procedures.js';
import { stageFile, type StageFileContext, type WorkerOutcome } from '../../src/pipeline/stage-file.js';
import type { StreamingOptions } from '../../src/pipeline/stage-task.js';
import { publishRun } from '../../src/pipeline/publish-run.js';
import { absoluteDataPath } from '../../src/lake/partition-path.js';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { tempDir } from '../support/temp-dir.js';
import { IT_COLUMNS, IT_HEADER } from '../support/it-file-header.js';
import { lakeConfig, stageInto } from '../support/stage-lake.js';
import { lakeLayout } from '../../src/lake/lake-layout.js';
import { writeRejectRecord } from '../../src/lake/reject-records.js';

const catalog = loadProcedureCatalog(SHIPPED_PROCEDURES_YAML);
/** The header's lines, before the column line. */
const HEADER_LINES = IT_HEADER.split('\n').length - 1;

/** Row i's cells as the file holds them: every third VL a nan, one Ambient T not a number, the plate sensor absent. */
function cells(i: number, badAt: number): string[] {
  return [`${i * 0.25}`, `${(i % 97) * 1.5e-6}`, i % 3 === 0 ? 'nan' : '0.5', 'nan', i === badAt ? 'x' : '21.5', `${i}`];
}

/** What a reader must give back for row i, column by column (null for nan and for the cell that is not a number). */
function expected(i: number, badAt: number): (number | null)[] {
  return cells(i, badAt).map((c) => (c === 'nan' || c === 'x' ? null : Number(c)));
}

const COLUMNS = ['t_s', 'i_a', 'vl_v', 'plate_t_degc', 'ambient_t_degc', 'clock_ms'];

/** An It file of `rows` rows (a few MB for 60,000), with an `extra` line put in after row `extraAfter` (or every `extraEvery` rows). */
function writeItFile(dir: string, rows: number, options: { badAt?: number; extra?: string; extraAfter?: number; extraEvery?: number } = {}) {
  const badAt = options.badAt ?? Math.floor(rows * 0.7);
  const lines: string[] = [];
  for (let i = 0; i < rows; i++) {
    lines.push(cells(i, badAt).join(','));
    const extraHere = i === options.extraAfter || (options.extraEvery !== undefined && i % options.extraEvery === 0);
    if (extraHere && options.extra !== undefined) lines.push(options.extra);
  }
  const text = `${IT_HEADER}${IT_COLUMNS}${lines.join('\n')}\n`;
  const absPath = path.join(dir, 'It2025-10-13_1.csv');
  writeFileSync(absPath, text);
  return { file: { absPath, relPath: 'It2025-10-13_1.csv', size: Buffer.byteLength(text), mtimeMs: 0 }, badAt };
}

function context(stageRoot: string, streaming?: StreamingOptions): StageFileContext {
  return {
    schemas: new Map(),
    catalog,
    stageRoot,
    extractionVersion: 'test',
    ingestedAt: new Date(Date.UTC(2026, 0, 1)),
    force: false,
    writesDataFiles: false,
    localTz: 'America/Santiago',
    strict: false,
    onlyYamlData: false,
    claimRunId: async () => true,
    ...(streaming === undefined ? {} : { streaming }),
  };
}

/** Streams every file (above 0 bytes), in 64 KiB reads. */
const streamed = (rowGroupRows: number, chunkBytes = 64 << 10): StreamingOptions => ({ above: 0, chunkBytes, rowGroupRows });

function ok(outcome: WorkerOutcome): Extract<WorkerOutcome, { kind: 'ok' }> {
  assert.equal(outcome.kind, 'ok', outcome.kind === 'reject' ? outcome.error : outcome.kind);
  return outcome as Extract<WorkerOutcome, { kind: 'ok' }>;
}

/** Every file below `dir` (hidden temp files too). */
function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

describe('a streamed raw file', () => {
  it('is the same Parquet file, byte for byte, and the same manifest row as the file read whole', async () => {
    const dir = tempDir();
    // Rows with a quoted cell holding a comma and a line break, often: a piece must never end inside a quoted field.
    const { file } = writeItFile(dir, 40_000, { extra: '"0.5",0.0,"0.0","nan","21,5\n","7"', extraEvery: 7 });
    const whole = ok(await stageFile({ file, previous: undefined }, context(path.join(dir, 'a'))));
    assert.equal(whole.data.kind, 'bytes');
    for (const chunkBytes of [4 << 10, 64 << 10]) {
      const stream = ok(await stageFile({ file, previous: undefined }, context(path.join(dir, 'b'), streamed(1 << 20, chunkBytes))));
      assert.equal(stream.data.kind, 'spooled');
      if (stream.data.kind !== 'spooled' || whole.data.kind !== 'bytes') return;
      assert.deepEqual(stream.row, whole.row);
      assert.deepEqual(stream.warnings, whole.warnings);
      assert.ok(Buffer.from(whole.data.bytes).equals(readFileSync(stream.data.path)), `read in ${chunkBytes}-byte pieces`);
    }
    // A quoted row after every 7th row, and the one 'x': the first follows row 0 (line 14) and ends a line later,
    // inside its quotes (csv-parse's line).
    const misfits = Math.ceil(40_000 / 7) + 1;
    assert.match(whole.warnings.join('\n'), new RegExp(`'Ambient T \\(degC\\)': ${misfits} value\\(s\\) are not numbers .* \\(first: '21,5' at line 16\\)`));
  });

  it('is written in row groups that DuckDB and hyparquet read back as the rows of its source', async () => {
    const dir = tempDir();
    const rows = 60_000;
    const { file, badAt } = writeItFile(dir, rows);
    const stageRoot = path.join(dir, 'stage');
    const outcome = ok(await stageFile({ file, previous: undefined }, context(stageRoot, streamed(7_000))));
    assert.equal(outcome.row.rows, rows);
    assert.equal(outcome.row.duration_s, (rows - 1) * 0.25);
    assert.match(outcome.warnings.join('\n'), new RegExp(`'Ambient T \\(degC\\)': 1 value\\(s\\) are not numbers .* at line ${HEADER_LINES + 2 + badAt}\\)`));
    const published = publishRun(outcome, catalog.parameterColumns, stageRoot);
    assert.equal(published.kind, 'ok');
    const target = absoluteDataPath(stageRoot, outcome.row.path);
    // The temp file was renamed into place: the run's data file is the only file left.
    assert.deepEqual(filesBelow(stageRoot), [path.basename(target)]);
    const bytes = readFileSync(target);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
    // One row group held at a time: the file has as many as 7,000-row groups make.
    assert.deepEqual(parquetMetadata(buffer).row_groups.map((g) => Number(g.num_rows)), [...Array(8).fill(7_000), rows - 8 * 7_000]);
    const read = await parquetReadObjects({ file: buffer, columns: COLUMNS });
    const engine = await Engine.open(':memory:', { threads: 1 });
    try {
      const db = await engine.connect();
      const duck = await db.all<Record<string, number | null>>(`SELECT ${COLUMNS.join(', ')} FROM read_parquet(${sqlLiteral(target)})`);
      assert.equal(read.length, rows);
      assert.equal(duck.length, rows);
      for (let i = 0; i < rows; i++) {
        const want = expected(i, badAt);
        assert.deepEqual(COLUMNS.map((c) => read[i]![c] ?? null), want, `hyparquet, row ${i}`);
        assert.deepEqual(COLUMNS.map((c) => duck[i]![c] ?? null), want, `DuckDB, row ${i}`);
      }
    } finally {
      engine.close();
    }
  });

  it('with a bad row near its end is rejected with the line and what was expected, and leaves no data file', async () => {
    const dir = tempDir();
    const rows = 60_000;
    const { file } = writeItFile(dir, rows, { extra: '1.5,2e-6,0.5', extraAfter: rows - 10 });
    const stageRoot = path.join(dir, 'stage');
    const outcome = await stageFile({ file, previous: undefined }, context(stageRoot, streamed(5_000)));
    assert.equal(outcome.kind, 'reject');
    if (outcome.kind !== 'reject') return;
    assert.equal(outcome.errorType, 'bad-data');
    // Row r is on line HEADER_LINES + 2 + r (after the column line); the short row follows row rows - 10.
    const line = HEADER_LINES + 2 + (rows - 10) + 1;
    assert.equal(outcome.error, `It2025-10-13_1.csv, line ${line}: expected 6 values separated by commas but found 3 (a truncated or malformed row).`);
    assert.deepEqual(filesBelow(stageRoot), []);
  });

  it('with a byte that is not UTF-8 near its end is rejected as the file read whole is, at its line', async () => {
    const dir = tempDir();
    const rows = 60_000;
    const { file } = writeItFile(dir, rows);
    const bytes = readFileSync(file.absPath);
    const at = bytes.lastIndexOf('\n5', bytes.length - 100) + 1;
    bytes[at] = 0xff;
    writeFileSync(file.absPath, bytes);
    const whole = await stageFile({ file, previous: undefined }, context(path.join(dir, 'a')));
    const stageRoot = path.join(dir, 'b');
    const stream = await stageFile({ file, previous: undefined }, context(stageRoot, streamed(5_000)));
    assert.equal(whole.kind, 'reject');
    assert.deepEqual(stream, whole);
    assert.match(whole.kind === 'reject' ? whole.error : '', new RegExp(`not UTF-8 at line ${bytes.subarray(0, at).toString('latin1').split('\n').length}\\.$`));
    assert.deepEqual(filesBelow(stageRoot), []);
  });

  it('whose first read ends inside a character (µ is two bytes) is read as the file read whole', async () => {
    const dir = tempDir();
    const { file } = writeItFile(dir, 20_000, { extra: '"0.5",0.0,"0.0","nan","21.5 µA","7"', extraEvery: 1000 });
    const bytes = readFileSync(file.absPath);
    const micro = bytes.indexOf('µ');
    assert.equal(bytes[micro], 0xc2);
    const whole = ok(await stageFile({ file, previous: undefined }, context(path.join(dir, 'a'))));
    // The first read takes the first byte of the µ and not the second.
    const stream = ok(await stageFile({ file, previous: undefined }, context(path.join(dir, 'b'), streamed(1 << 20, micro + 1))));
    assert.deepEqual(stream.row, whole.row);
    assert.deepEqual(stream.warnings, whole.warnings);
  });

  it('is not staged again when its bytes are those of the staged run', async () => {
    const dir = tempDir();
    const { file } = writeItFile(dir, 20_000);
    const stageRoot = path.join(dir, 'stage');
    const ctx = context(stageRoot, streamed(5_000));
    const first = ok(await stageFile({ file, previous: undefined }, ctx));
    assert.equal(publishRun(first, catalog.parameterColumns, stageRoot).kind, 'ok');
    const previous = { sha1: first.row.source_sha1, path: first.row.path } as unknown as Parameters<typeof stageFile>[0]['previous'];
    assert.equal((await stageFile({ file, previous }, ctx)).kind, 'skipped');
    writeFileSync(file.absPath, readFileSync(file.absPath, 'latin1').replace('\n0.25,', '\n0.3,'), 'latin1');
    const changed = ok(await stageFile({ file, previous }, ctx));
    assert.notEqual(changed.row.source_sha1, first.row.source_sha1);
  });
});

describe('a file refused for its size by an earlier strata', () => {
  it('is staged on the next run though unchanged, while a file rejected as bad waits for a change', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    mkdirSync(raw);
    const { file } = writeItFile(raw, 500);
    // The same unchanged file, once with a reject record of each kind (as an older strata wrote them) and no run.
    for (const [kind, staged] of [['too-large', 1], ['bad-data', 0]] as const) {
      const lake = path.join(root, `lake-${kind}`);
      const { size, mtimeMs } = statSync(file.absPath);
      writeRejectRecord(lakeLayout(lakeConfig(raw, lake)).rejects, {
        source_file: file.relPath, error: `${file.relPath} was refused`, error_type: kind, ts: new Date().toISOString(), source_size: size, source_mtime_ms: mtimeMs,
      });
      assert.equal((await stageInto(raw, lake)).summary.ok, staged, kind);
    }
  });
});
