// The real lab corpus staged with the design documents' procedures YAML gives the same runs as with strata's own:
// same procedure, light, chip, start time and rows for every file; only the column names follow the YAML.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import type { ManifestRow } from '../../src/lake/manifest-row.js';
import { projectRoot } from '../../src/version.js';
import { stageInto } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';

const CORPUS = path.resolve(projectRoot, '../shared/corpus/lab');
const present = existsSync(CORPUS);
if (!present && process.env['STRATA_REQUIRE_CORPUS'] === '1') throw new Error(`STRATA_REQUIRE_CORPUS=1 but the corpus is not at ${CORPUS}`);

/** The design documents' shape (000, section 3), written for the corpus's four procedures. */
const DESIGN_YAML = path.join(path.dirname(fileURLToPath(import.meta.url)), 'design-procedures.yml');

describe('the real corpus with a design-shaped procedures YAML', { skip: present ? false : `corpus not present at ${CORPUS}` }, () => {
  let own: Map<string, ManifestRow>;
  let design: Map<string, ManifestRow>;
  let designStage: string;
  before(async () => {
    const root = tempDir();
    const conn = await (await Engine.open()).connect();
    const byFile = (rows: ManifestRow[]) => new Map(rows.map((r) => [r.source_file, r]));
    const a = await stageInto(CORPUS, path.join(root, 'own'));
    const b = await stageInto(CORPUS, path.join(root, 'design'), { proceduresYaml: DESIGN_YAML });
    assert.equal(b.summary.rejected, 0, JSON.stringify(b.summary.rejects.slice(0, 3)));
    own = byFile(await readManifest(conn, a.config.manifestPath));
    design = byFile(await readManifest(conn, b.config.manifestPath));
    designStage = b.config.stageRoot;
  });

  it('stages every file, and each run as strata\'s own YAML does', () => {
    assert.equal(design.size, own.size);
    for (const [file, mine] of own) {
      const theirs = design.get(file);
      assert.ok(theirs, file);
      const facts = (r: ManifestRow) => [r.proc, r.has_light, r.chip_name, r.start_time_utc?.toISOString(), r.rows, r.date_local, r.run_id];
      assert.deepEqual(facts(theirs), facts(mine), file);
    }
  });

  it('keeps the YAML\'s column names in the lake, and knows each It run\'s duration', async () => {
    const run = [...design.values()].find((r) => r.proc === 'It')!;
    const conn = await (await Engine.open()).connect();
    const names = (await conn.all(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(path.join(designStage, run.path))})`)).map((r) => String(r['column_name']));
    for (const name of ['t (s)', 'I (A)', 'VL (V)']) assert.ok(names.includes(name), names.join(', '));
    for (const r of design.values()) if (r.proc === 'It') assert.equal(r.duration_s, own.get(r.source_file)?.duration_s, r.source_file);
  });
});
