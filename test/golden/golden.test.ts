// Golden folders for the staging rules: each case stages its `raw/` into a fresh lake and compares what the lake
// records (manifest rows, events, reject records, procedure schemas) with `expected/`, which is written only with
// STRATA_UPDATE_GOLDEN=1 and never under CI=true: a missing expected file fails.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { manifestColumns } from '../../src/lake/manifest-columns.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import { readLakeSchemas } from '../../src/lake/procedure-schemas.js';
import { lakeLayout } from '../../src/lake/lake-layout.js';
import { tempDir } from '../support/temp-dir.js';
import { stageInto, type StagedLake } from '../support/stage-lake.js';
import { withConn } from '../support/with-duckdb.js';
import { checkExpectedFile, expectedFileMode } from '../support/expected-file.js';

const GOLDEN = path.dirname(fileURLToPath(import.meta.url));
const UPDATE_VARIABLE = 'STRATA_UPDATE_GOLDEN';
const MODE = expectedFileMode(process.env, UPDATE_VARIABLE);
const UPDATE_COMMAND = `${UPDATE_VARIABLE}=1 node --import tsx --test test/golden/golden.test.ts`;
/** Every raw file's mtime in the staged copy (noon in Santiago): a checkout's mtimes are the checkout's. */
const MTIME = new Date('2025-10-14T15:00:00Z');

type Flags = NonNullable<Parameters<typeof stageInto>[2]>;
type Json = Record<string, unknown>;

const cases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(path.join(GOLDEN, d.name, 'raw')))
  .map((d) => d.name)
  .sort();

describe('golden staging cases (test/golden/<case>/raw -> expected/)', () => {
  it('has cases to run', () => assert.ok(cases.length > 0));
  for (const name of cases) {
    it(name, async (t) => {
      const lake = await stageCase(path.join(GOLDEN, name));
      const outputs = { 'manifest.json': await manifestRows(lake), 'events.json': events(lake), 'rejects.json': rejects(lake), 'schemas.json': schemas(lake) };
      const expectedDir = path.join(GOLDEN, name, 'expected');
      for (const [file, value] of Object.entries(outputs)) {
        const actual = `${JSON.stringify(value, null, 2).replaceAll(path.dirname(lake.config.rawRoot), '<tmp>')}\n`;
        const outcome = checkExpectedFile(path.join(expectedDir, file), actual, MODE);
        switch (outcome.kind) {
          case 'same': break;
          case 'written': t.diagnostic(`wrote ${name}/expected/${file}: review it and commit it`); break;
          case 'missing': assert.fail(`${name}/expected/${file} is missing: ${UPDATE_COMMAND} writes it (not under CI=true); review it and commit it`);
          case 'differs': assert.equal(actual, outcome.expected, `${name}/expected/${file} differs (${UPDATE_COMMAND} rewrites it)`);
        }
      }
    });
  }
});

/** Stages a copy of the case's raw files, all with the same mtime, one worker (undeclared columns meet files in order). */
async function stageCase(caseDir: string): Promise<StagedLake> {
  const root = tempDir('strata-golden-');
  const raw = path.join(root, 'raw');
  cpSync(path.join(caseDir, 'raw'), raw, { recursive: true });
  for (const entry of readdirSync(raw, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) utimesSync(path.join(entry.parentPath, entry.name), MTIME, MTIME);
  }
  const flagsFile = path.join(caseDir, 'flags.json');
  const flags = existsSync(flagsFile) ? (JSON.parse(readFileSync(flagsFile, 'utf8')) as Flags) : {};
  return stageInto(raw, path.join(root, 'lake'), { workers: 1, localTz: 'America/Santiago', extractionVersion: 'golden', ...flags });
}

/** The manifest columns every row has; the others are the parameter columns of every procedure, mostly null. */
const CORE = new Set(manifestColumns([]).map((c) => c.name));

/** The manifest rows by source file, without the time they were staged or the parameters they lack; warnings as a list. */
async function manifestRows(lake: StagedLake): Promise<Json[]> {
  const rows = await withConn((conn) => readManifest(conn, lake.config.manifestPath));
  return bySource(
    rows.map(({ ingested_at_utc: _, warnings, ...row }): Json => ({
      ...Object.fromEntries(Object.entries(row).filter(([name, value]) => CORE.has(name) || value !== null)),
      warnings: JSON.parse(warnings) as unknown,
    })),
  );
}

/** This run's events, by source file, without their times. */
function events(lake: StagedLake): Json[] {
  const lines = readFileSync(lake.summary.events, 'utf8').split('\n').filter((l) => l !== '');
  return bySource(lines.map((l) => withoutTs(JSON.parse(l) as Json)));
}

function rejects(lake: StagedLake): Json[] {
  const names = existsSync(lake.config.rejectsDir) ? readdirSync(lake.config.rejectsDir).filter((n) => n.endsWith('.json')) : [];
  return bySource(names.map((n) => withoutTs(JSON.parse(readFileSync(path.join(lake.config.rejectsDir, n), 'utf8')) as Json)));
}

/** Each procedure's columns, in file order: `name: type (origin)`. */
function schemas(lake: StagedLake): Json {
  const { procedures } = readLakeSchemas(lakeLayout(lake.config).schemas);
  return Object.fromEntries(
    [...procedures.values()].sort((a, b) => byText(a.proc, b.proc)).map((s) => [s.proc, { id: s.id, columns: s.columns.map((c) => `${c.name}: ${c.type} (${c.origin})`) }]),
  );
}

function withoutTs({ ts: _, ...rest }: Json): Json {
  return rest;
}

function bySource(items: Json[]): Json[] {
  return items.sort((a, b) => byText(String(a['source_file']), String(b['source_file'])));
}

/** Code-unit order: the same on every machine, whatever its locale. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
