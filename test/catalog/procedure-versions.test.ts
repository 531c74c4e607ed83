// Each procedure's schema, versioned, with Parquet field ids: a new column is a new version, made once however
// many stagers meet it at the same moment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LakeColumn } from '../../src/lake/procedure-schemas.js';
import { schemaOf } from '../../src/lake/procedure-schemas.js';
import { nextSchemaColumns, type CatalogColumn } from '../../src/catalog/procedure-versions.js';
import type { AttemptOutcome } from '../../src/catalog/commit-attempts.js';
import { scratchCatalogSuite, scratchCatalogDatabase, skipWithoutPostgres, sourceFiles, stagedRow, TEST_PARAMETERS } from './catalog-fixtures.js';

const scratch = scratchCatalogDatabase();
const skip = await skipWithoutPostgres(scratch);

const measured = (name: string): LakeColumn => ({ name, type: 'float', origin: 'declared' });
const found = (name: string): LakeColumn => ({ name, type: 'float', origin: 'found' });
const run = (name: string): LakeColumn => ({ name, type: 'str', origin: 'run' });
const IT: readonly LakeColumn[] = [measured('t_s'), measured('i_a'), run('source_file'), run('chip_group')];

describe('the next schema version’s columns', () => {
  it('numbers a first version’s columns from 1, in order', () => {
    assert.deepEqual(nextSchemaColumns(undefined, IT)!.map((c) => [c.name, c.fieldId]), [['t_s', 1], ['i_a', 2], ['source_file', 3], ['chip_group', 4]]);
  });

  it('keeps every column’s field id and gives new ones the next ids, measured columns before the run columns', () => {
    const v1 = nextSchemaColumns(undefined, IT)!;
    const v2 = nextSchemaColumns(v1, [...IT, found('temp_c'), run('vg_v')])!;
    assert.deepEqual(v2.map((c) => [c.name, c.fieldId]), [['t_s', 1], ['i_a', 2], ['temp_c', 5], ['source_file', 3], ['chip_group', 4], ['vg_v', 6]]);
  });

  it('is null when the file adds nothing, whatever order it has its columns in', () => {
    const v1 = nextSchemaColumns(undefined, IT)!;
    assert.equal(nextSchemaColumns(v1, [...IT].reverse()), null);
    assert.equal(nextSchemaColumns(v1, [IT[0]!]), null);
  });
});

describe('procedure schema versions in the catalog', { skip }, () => {
  const opened = scratchCatalogSuite(scratch);
  let n = 0;
  const schema = () => `versions_${++n}`;

  it('makes version 1, keeps it while files add nothing, and makes version 2 for a new column', async () => {
    const catalog = await opened.open({ schema: schema() });
    const v1 = await catalog.evolveSchema('It', IT, 'a.csv');
    assert.equal(v1.version, 1);
    assert.equal(v1.id, schemaOf('It', v1.columns).id, 'the id a run’s data_schema names');
    assert.equal((await catalog.evolveSchema('It', IT.slice(0, 2), 'b.csv')).version, 1);
    const v2 = await catalog.evolveSchema('It', [...IT, found('temp_c')], 'c.csv');
    assert.equal(v2.version, 2);
    assert.equal(v2.sourceFile, 'c.csv');
    assert.deepEqual(v2.columns.find((c) => c.name === 'temp_c'), { name: 'temp_c', type: 'float', origin: 'found', fieldId: 5 });
    assert.deepEqual((await catalog.schemaHistory('It')).map((v) => v.version), [1, 2]);
  });

  it('ends with one new version when five stagers add the same column at the same moment', async () => {
    const name = schema();
    const stagers = await Promise.all(Array.from({ length: 5 }, () => opened.open({ schema: name })));
    await stagers[0]!.evolveSchema('It', IT, 'first.csv');
    const made = await Promise.all(stagers.map((s, i) => s.evolveSchema('It', [...IT, found('temp_c')], `racer${i}.csv`)));
    assert.deepEqual(new Set(made.map((v) => v.version)), new Set([2]));
    assert.equal(new Set(made.map((v) => v.id)).size, 1);
    assert.deepEqual((await stagers[0]!.schemaHistory('It')).map((v) => v.version), [1, 2]);
  });

  it('ends with one version per new column when stagers add different ones at once, the last holding all', async () => {
    const name = schema();
    const stagers = await Promise.all(Array.from({ length: 4 }, () => opened.open({ schema: name })));
    await stagers[0]!.evolveSchema('It', IT, 'first.csv');
    const added = ['temp_c', 'vg_v', 'power_w', 'wl_nm'];
    await Promise.all(stagers.map((s, i) => s.evolveSchema('It', [...IT, found(added[i]!)], `racer${i}.csv`)));
    const history = await stagers[0]!.schemaHistory('It');
    assert.deepEqual(history.map((v) => v.version), [1, 2, 3, 4, 5]);
    const last = history.at(-1)!;
    assert.deepEqual(last.columns.filter((c) => c.origin === 'found').map((c) => c.name).sort(), [...added].sort());
    assert.deepEqual(last.columns.map((c) => c.fieldId).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8], 'each column one id, none reused');
  });

  it('keeps versions per procedure, and tells which version a run’s data file has', async () => {
    const catalog = await opened.open({ schema: schema() });
    const it1 = await catalog.evolveSchema('It', IT, 'a.csv');
    await catalog.evolveSchema('IVg', [measured('vg_v'), measured('i_a')], 'b.csv');
    await catalog.evolveSchema('It', [...IT, found('temp_c')], 'c.csv');
    await catalog.enqueue(sourceFiles(1));
    const [v] = (await catalog.claim({ stager: 't', batch: 1, leaseSeconds: 30 })).versions;
    const outcome: AttemptOutcome = { kind: 'staged', attempt: v!, row: stagedRow(v!, { extra: { data_schema: it1.id } }) };
    await catalog.commit([outcome], TEST_PARAMETERS);
    const ofRun = await catalog.schemaOfRun(outcome.row.run_id);
    assert.deepEqual([ofRun?.proc, ofRun?.version], ['It', 1]);
    assert.equal(await catalog.schemaOfRun('0000000000000000'), undefined);
    const latest = await catalog.latestSchemas();
    assert.deepEqual([...latest].map(([proc, s]) => [proc, s.version]), [['IVg', 1], ['It', 2]]);
  });

  it('reads as a local lake’s schemas.json: the latest of each procedure and what each version added', async () => {
    const catalog = await opened.open({ schema: schema() });
    await catalog.evolveSchema('It', IT, 'a.csv');
    await catalog.evolveSchema('It', [...IT, found('temp_c')], 'c.csv');
    const lake = await catalog.lakeSchemas();
    const columns: readonly CatalogColumn[] = (await catalog.latestSchemas()).get('It')!.columns;
    assert.deepEqual(lake.procedures.get('It'), schemaOf('It', columns.map(({ name, type, origin }) => ({ name, type, origin }))));
    assert.deepEqual(lake.changes.map((c) => [c.source_file, c.added.map((a) => a.name)]), [['a.csv', IT.map((c) => c.name)], ['c.csv', ['temp_c']]]);
  });
});
