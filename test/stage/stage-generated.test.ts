// `strata stage` end to end on a generated corpus: good files, every kind of bad file, re-runs and changes.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { generateLabCorpus, type GeneratedCorpus, type GeneratedGoodFile } from '../../src/demo/generate-lab-corpus.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import type { ManifestRow } from '../../src/lake/manifest-row.js';
import { tempDir } from '../support/temp-dir.js';
import { stageInto, type StagedLake } from '../support/stage-lake.js';

async function manifestOf(lake: StagedLake): Promise<ManifestRow[]> {
  const engine = await Engine.open();
  try {
    return await readManifest(await engine.connect(), lake.config.manifestPath);
  } finally {
    engine.close();
  }
}

const rejectRecords = (lake: StagedLake) =>
  readdirSync(lake.config.rejectsDir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(readFileSync(path.join(lake.config.rejectsDir, n), 'utf8')) as Record<string, string>);

describe('staging a generated corpus with every kind of bad file', () => {
  let corpus: GeneratedCorpus;
  let raw: string;
  let lakeRoot: string;
  let lake: StagedLake;
  let rows: ManifestRow[];
  const good = () => corpus.files.filter((f): f is GeneratedGoodFile => f.kind === 'good');
  const bad = () => corpus.files.filter((f) => f.kind === 'bad');

  before(async () => {
    const root = tempDir();
    raw = path.join(root, 'raw');
    lakeRoot = path.join(root, 'lake');
    corpus = await generateLabCorpus({ root: raw, files: 60, seed: 7, badFiles: true, variants: true });
    lake = await stageInto(raw, lakeRoot);
    rows = await manifestOf(lake);
  });

  it('stages every good file, one manifest row and one Parquet file each', () => {
    assert.equal(lake.summary.ok, good().length);
    assert.equal(rows.length, good().length);
    for (const row of rows) assert.ok(existsSync(path.join(lake.config.stageRoot, row.path)), row.path);
  });

  it('records what the header says: procedure, chip, start time, rows and duration', () => {
    const byPath = new Map(rows.map((r) => [r.source_file, r]));
    for (const file of good()) {
      const row = byPath.get(file.relPath);
      assert.ok(row, `${file.relPath} is in the manifest`);
      assert.equal(row.proc, file.proc);
      assert.equal(row.chip_number, file.chipNumber);
      assert.equal(row.chip_group, file.chipGroup);
      assert.equal(row.rows, file.dataRows, file.relPath);
      assert.equal(Math.floor(row.start_time_utc!.getTime() / 1000), Math.floor(file.startTimeUnix));
      if (file.durationS !== null) assert.ok(Math.abs((row.duration_s ?? NaN) - file.durationS) < 1e-6, file.relPath);
    }
  });

  it('rejects each bad file with one record whose sentence names the file, and writes no Parquet for it', () => {
    const records = rejectRecords(lake);
    assert.equal(lake.summary.rejected, bad().length);
    assert.deepEqual(records.map((r) => r.source_file).sort(), bad().map((f) => f.relPath).sort());
    for (const record of records) {
      assert.ok(record.error!.includes(record.source_file!), record.error);
      assert.ok(record.error_type && record.ts);
    }
    const staged = new Set(rows.map((r) => r.source_file));
    for (const file of bad()) assert.ok(!staged.has(file.relPath));
  });

  it('names the line of a truncated last line', () => {
    const record = rejectRecords(lake).find((r) => r.source_file!.includes(bad().find((f) => f.kind === 'bad' && f.problem === 'truncated-last-line')!.relPath));
    assert.match(record!.error!, /line \d+/);
  });

  it('writes the data files with canonical column names, the run columns and the contract types, and no path columns', async () => {
    const engine = await Engine.open();
    const conn = await engine.connect();
    const it = rows.find((r) => r.proc === 'It')!;
    const columns = await conn.all<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(path.join(lake.config.stageRoot, it.path))}, hive_partitioning = false)`,
    );
    const types = Object.fromEntries(columns.map((c) => [c.column_name, c.column_type]));
    assert.equal(types['t_s'], 'DOUBLE');
    assert.equal(types['i_a'], 'DOUBLE');
    assert.equal(types['source_file'], 'VARCHAR');
    for (const inPath of ['run_id', 'proc', 'date']) assert.equal(types[inPath], undefined, `${inPath} lives in the path only`);
    assert.equal(types['chip_number'], 'BIGINT');
    assert.equal(types['has_light'], 'BOOLEAN');
    assert.equal(types['start_time_utc'], 'TIMESTAMP WITH TIME ZONE');
    // What other readers see: text columns (the run's constants included) are UTF-8 byte arrays.
    const schema = await conn.all<{ name: string; type: string | null; converted_type: string | null }>(
      `SELECT name, type, converted_type FROM parquet_schema(${sqlLiteral(path.join(lake.config.stageRoot, it.path))})`,
    );
    const physical = Object.fromEntries(schema.map((c) => [c.name, `${c.type}/${c.converted_type}`]));
    for (const text of ['source_file', 'chip_group', 'chip_name']) assert.equal(physical[text], 'BYTE_ARRAY/UTF8', text);
    assert.equal(physical['chip_number'], 'INT64/INT_64');
    const [hive] = await conn.all<{ n: number }>(
      `SELECT count(*) n FROM read_parquet(${sqlLiteral(`${lake.config.stageRoot}/**/*.parquet`)}, hive_partitioning=true, union_by_name=true)`,
    );
    assert.equal(hive?.n, rows.reduce((s, r) => s + r.rows, 0));
    engine.close();
  });

  it('re-running is a no-op: all skipped, no new rows, no Parquet or manifest rewritten, no new rejects', async () => {
    const manifestMtime = statSync(lake.config.manifestPath).mtimeMs;
    const dataMtime = statSync(path.join(lake.config.stageRoot, rows[0]!.path)).mtimeMs;
    const again = await stageInto(raw, lakeRoot);
    assert.deepEqual([again.summary.ok, again.summary.rejected, again.summary.skipped], [0, 0, corpus.files.length]);
    assert.equal(statSync(lake.config.manifestPath).mtimeMs, manifestMtime);
    assert.equal(statSync(path.join(lake.config.stageRoot, rows[0]!.path)).mtimeMs, dataMtime);
    assert.equal((await manifestOf(again)).length, rows.length);
  });

  it('restages a file whose content changed, and only that one', async () => {
    const file = good().find((f) => f.proc === 'IVg')!;
    const abs = path.join(raw, file.relPath);
    const text = readFileSync(abs, 'utf8');
    const lastRow = text.trimEnd().split(/\r?\n/).pop()!;
    appendFileSync(abs, `${lastRow}\r\n`);
    const later = new Date(file.mtimeMs + 60_000);
    utimesSync(abs, later, later);
    const again = await stageInto(raw, lakeRoot);
    assert.equal(again.summary.ok, 1);
    const row = (await manifestOf(again)).find((r) => r.source_file === file.relPath)!;
    assert.equal(row.rows, file.dataRows + 1);
    assert.equal((await manifestOf(again)).length, rows.length);
  });

  it('skips a file whose mtime moved but whose bytes did not', async () => {
    const file = good()[0]!;
    const abs = path.join(raw, file.relPath);
    const later = new Date(file.mtimeMs + 120_000);
    utimesSync(abs, later, later);
    const again = await stageInto(raw, lakeRoot);
    assert.equal(again.summary.ok, 0);
    const third = await stageInto(raw, lakeRoot);
    assert.equal(third.summary.skipped, corpus.files.length, 'the new mtime was recorded, so the file is not even read again');
  });

  it('keeps the good run when a changed file breaks a manifest rule: its Parquet is never replaced', async () => {
    const file = good().find((f) => f.proc === 'It' && !f.quirks.length)!;
    const abs = path.join(raw, file.relPath);
    const before = readFileSync(abs);
    const dataPath = path.join(lake.config.stageRoot, rows.find((r) => r.source_file === file.relPath)!.path);
    const dataBefore = readFileSync(dataPath);
    writeFileSync(abs, before.toString('utf8').replace(/Laser voltage: [^\r\n]*/, 'Laser voltage: -1 V'));
    const later = new Date(file.mtimeMs + 300_000);
    utimesSync(abs, later, later);
    const again = await stageInto(raw, lakeRoot);
    assert.equal(again.summary.rejected, 1);
    assert.match(again.summary.rejects[0]!.error, /laser_voltage_v/);
    assert.deepEqual(readFileSync(dataPath), dataBefore);
    assert.ok((await manifestOf(again)).some((r) => r.source_file === file.relPath));
    writeFileSync(abs, before);
    utimesSync(abs, new Date(file.mtimeMs), new Date(file.mtimeMs));
  });

  it('restages everything with --force', async () => {
    const again = await stageInto(raw, lakeRoot, { force: true });
    assert.equal(again.summary.ok, good().length);
    assert.equal((await manifestOf(again)).length, rows.length);
  });
});

describe('staging rules', () => {
  it('leaves a file modified within the settle window for the next run, and says so', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const corpus = await generateLabCorpus({ root: raw, files: 3, seed: 3 });
    const fresh = path.join(raw, corpus.files[0]!.relPath);
    const now = new Date();
    utimesSync(fresh, now, now);
    const first = await stageInto(raw, path.join(root, 'lake'), { settleSeconds: 30 });
    assert.equal(first.summary.settling, 1);
    assert.equal(first.summary.ok, 2);
    const events = readFileSync(first.summary.events, 'utf8');
    assert.match(events, /still be writing/);
    const second = await stageInto(raw, path.join(root, 'lake'), { settleSeconds: 0 });
    assert.equal(second.summary.ok, 1);
  });

  it('sweeps temp files a crashed run left behind, and never publishes them', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    await generateLabCorpus({ root: raw, files: 2, seed: 4 });
    const stageRoot = path.join(root, 'lake', 'stage');
    const leftover = path.join(stageRoot, 'proc=It', 'date=2025-09-01', 'run_id=0000000000000000', '.part-000.parquet.strata-tmp-99999999-dead');
    mkdirSync(path.dirname(leftover), { recursive: true });
    writeFileSync(leftover, 'half a parquet file');
    const manifestLeftover = path.join(root, 'lake', '_manifest', '.manifest.parquet.strata-tmp-99999999-dead');
    mkdirSync(path.dirname(manifestLeftover), { recursive: true });
    writeFileSync(manifestLeftover, 'half a manifest');
    writeFileSync(path.join(stageRoot, '.strata-stage.lock'), '99999999');
    const lake = await stageInto(raw, path.join(root, 'lake'));
    assert.equal(lake.summary.ok, 2);
    assert.equal(lake.summary.sweptTempFiles, 2);
    assert.equal(existsSync(leftover), false);
    assert.equal(existsSync(manifestLeftover), false);
    assert.equal(existsSync(path.join(stageRoot, '.strata-stage.lock')), false);
  });

  it('warns about a missing required column, and rejects the file with --strict', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const corpus = await generateLabCorpus({ root: raw, files: 1, seed: 5, procedures: ['It'] });
    const abs = path.join(raw, corpus.files[0]!.relPath);
    writeFileSync(abs, readFileSync(abs, 'utf8').replace('I (A)', 'Mystery (A)'));
    const lenient = await stageInto(raw, path.join(root, 'lenient'));
    assert.equal(lenient.summary.ok, 1);
    assert.match(readFileSync(lenient.summary.events, 'utf8'), /required column\(s\) missing: i_a/);
    const strict = await stageInto(raw, path.join(root, 'strict'), { strict: true });
    assert.equal(strict.summary.rejected, 1);
    assert.match(strict.summary.rejects[0]!.error, /required column\(s\) missing: i_a/);
  });

  it('keeps unknown data columns, or drops them with --only-yaml-data', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const corpus = await generateLabCorpus({ root: raw, files: 1, seed: 6, procedures: ['IVg'] });
    const abs = path.join(raw, corpus.files[0]!.relPath);
    const lines = readFileSync(abs, 'utf8').split('\r\n');
    const columnLine = lines.findIndex((l) => l.startsWith('#Data:')) + 1;
    const extended = lines.map((l, i) => (i === columnLine ? `${l},Note` : i > columnLine && l !== '' ? `${l},ok` : l));
    writeFileSync(abs, extended.join('\r\n'));
    const columnsOf = async (flags: { onlyYamlData?: boolean }, name: string) => {
      const lake = await stageInto(raw, path.join(root, name), flags);
      const engine = await Engine.open();
      const [row] = await manifestOf(lake);
      const described = await (await engine.connect()).all<{ column_name: string; column_type: string }>(
        `DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(path.join(lake.config.stageRoot, row!.path))})`,
      );
      engine.close();
      return Object.fromEntries(described.map((c) => [c.column_name, c.column_type]));
    };
    assert.equal((await columnsOf({}, 'keep'))['note'], 'VARCHAR');
    assert.equal((await columnsOf({ onlyYamlData: true }, 'drop'))['note'], undefined);
  });
});
