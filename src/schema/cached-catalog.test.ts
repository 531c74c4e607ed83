import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { projectRoot } from '../version.js';
import { loadCachedCatalog } from './cached-catalog.js';
import { loadProcedureCatalog } from './procedures-schema.js';

describe('the cached procedures catalog', () => {
  it('is, from its compiled copy, the same catalog the YAML gives', async () => {
    const file = path.join(projectRoot, 'config', 'procedures.yml');
    const dir = tempDir();
    const first = await loadCachedCatalog(file, dir);
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('catalog-')).length, 1);
    const again = await loadCachedCatalog(file, dir);
    const fresh = loadProcedureCatalog(file);
    for (const catalog of [first, again]) {
      assert.deepEqual([...catalog.procedures.keys()], [...fresh.procedures.keys()]);
      for (const [name, spec] of fresh.procedures) {
        const cached = catalog.procedures.get(name)!;
        assert.deepEqual(cached.headerTypes, spec.headerTypes, name);
        assert.deepEqual(JSON.parse(JSON.stringify(cached)), JSON.parse(JSON.stringify(spec)), name);
      }
      assert.deepEqual(catalog.parameterColumns, fresh.parameterColumns);
    }
  });
});
