import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadCachedCatalog, userCacheDir } from './cached-catalog.js';
import { loadProcedureCatalog } from './procedures-schema.js';
import { SHIPPED_PROCEDURES_YAML } from './shipped-procedures.js';

describe('the cached procedures catalog', () => {
  it('is, from its compiled copy, the same catalog the YAML gives', async () => {
    const file = SHIPPED_PROCEDURES_YAML;
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

  it('is found in a shared cache folder by a new lake, which then keeps its own copy', async () => {
    const file = SHIPPED_PROCEDURES_YAML;
    const [lakeA, lakeB, shared] = [tempDir(), tempDir(), tempDir()];
    await loadCachedCatalog(file, lakeA, shared);
    const [copy] = readdirSync(shared).filter((n) => n.startsWith('catalog-'));
    assert.ok(copy, 'the shared folder holds the compiled copy');
    // Mark the shared copy: the new lake must take it (not parse the YAML again), then hold it too.
    const marked = JSON.parse(readFileSync(path.join(shared, copy), 'utf8')) as { note: unknown };
    writeFileSync(path.join(shared, copy), JSON.stringify({ ...marked, note: 'from the shared cache' }));
    const catalog = await loadCachedCatalog(file, lakeB, shared);
    assert.equal(catalog.note, 'from the shared cache');
    assert.deepEqual(readdirSync(lakeB), [copy]);
  });

  it('lives where STRATA_CACHE_DIR, then XDG_CACHE_HOME, then the home folder say', () => {
    assert.equal(userCacheDir({ STRATA_CACHE_DIR: '/x/y' }), '/x/y');
    assert.equal(userCacheDir({ XDG_CACHE_HOME: '/c' }), path.join('/c', 'strata'));
    assert.equal(userCacheDir({}), path.join(os.homedir(), '.cache', 'strata'));
  });
});
