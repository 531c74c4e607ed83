// Parquet field ids: every data file of a procedure gives each column the id its procedure schema records, a new
// column gets the next id, and a file rewritten for a column that arrived later keeps the ids (issue 24 item 4).
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parquetMetadata } from 'hyparquet';
import { readLakeSchemas } from '../../src/lake/procedure-schemas.js';
import { lakeLayout } from '../../src/lake/lake-layout.js';
import { stageInto } from '../support/stage-lake.js';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { tempDir } from '../support/temp-dir.js';

const CASE = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'golden', 'undeclared-column', 'raw');

function fieldIdsOf(file: string): Map<string, number | undefined> {
  const bytes = readFileSync(file);
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  return new Map(meta.schema.slice(1).map((e) => [e.name, e.field_id]));
}

describe('Parquet field ids', () => {
  it('are the ids the procedure schema records, in every data file, those rewritten for a later column too', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    // A first run of It files, then a second that brings an It file with a column the YAML does not declare.
    await generateLabCorpus({ root: raw, files: 24, seed: 2401, badFiles: false });
    await stageInto(raw, root);
    cpSync(CASE, path.join(raw, 'later'), { recursive: true });
    const lake = await stageInto(raw, root);
    assert.ok(lake.summary.ok >= 1);
    assert.ok(lake.summary.conformed > 0, 'the files written before the new column were rewritten');
    const { procedures } = readLakeSchemas(lakeLayout(lake.config).schemas);
    const schema = procedures.get('It')!;
    const ids = schema.columns.map((c) => c.fieldId);
    assert.ok(ids.every((id) => Number.isInteger(id)), 'every column has a field id');
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
    assert.ok(schema.columns.some((c) => c.origin === 'found'), 'the case brings a column the YAML does not declare');
    const found = schema.columns.find((c) => c.origin === 'found')!;
    assert.equal(found.fieldId, Math.max(...ids.map(Number)), 'the column that arrived later has the next id');
    const files = readdirSync(path.join(lake.config.stageRoot, 'proc=It'), { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')).map((f) => path.join('proc=It', f));
    assert.ok(files.length >= 2);
    for (const file of files) {
      assert.deepEqual(fieldIdsOf(path.join(lake.config.stageRoot, file)), new Map(schema.columns.map((c) => [c.name, c.fieldId])), file);
    }
  });
});
