// The import rules of the landed flow and the stage databases, read from the source itself.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../src/version.js';

const src = path.join(projectRoot, 'src');

/** Every module under `folder` (tests included) with the specifiers it imports, static or dynamic. */
function importsUnder(folder: string): { file: string; specifiers: string[] }[] {
  return readdirSync(path.join(src, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => {
      const file = path.join(e.parentPath, e.name);
      const text = readFileSync(file, 'utf8');
      const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)'([^']+)'/g)].map((m) => {
        const spec = m[1]!;
        return spec.startsWith('.') ? path.relative(src, path.resolve(path.dirname(file), spec)).split(path.sep).join('/') : spec;
      });
      return { file: path.relative(src, file), specifiers };
    });
}

const offending = (folder: string, banned: (specifier: string) => boolean) =>
  importsUnder(folder).flatMap(({ file, specifiers }) => specifiers.filter(banned).map((s) => `${file} imports ${s}`));

describe('import rules', () => {
  it('no file under src/landed/ imports a database driver, pg or the stage-database interface', () => {
    assert.deepEqual(offending('landed', (s) => s.startsWith('load/') || s === 'pg' || s.startsWith('pg-') || s.startsWith('@duckdb/')), []);
  });

  it('only src/engine/ imports DuckDB, and only src/load/postgres/ and src/catalog/postgres/ import pg', () => {
    const all = importsUnder('.');
    const duckdb = all.filter(({ file, specifiers }) => !file.startsWith('engine/') && specifiers.some((s) => s.startsWith('@duckdb/')));
    const pg = all.filter(({ file, specifiers }) => !file.startsWith('load/postgres/') && !file.startsWith('catalog/postgres/') && specifiers.some((s) => s === 'pg' || s.startsWith('pg-')));
    assert.deepEqual([...duckdb, ...pg].map((f) => f.file), []);
  });

  it('the PostgreSQL driver quotes SQL with the neutral module, and shared load code never names a database', () => {
    for (const { file } of importsUnder('load/postgres').filter(({ file }) => !file.endsWith('.test.ts'))) {
      assert.doesNotMatch(readFileSync(path.join(src, file), 'utf8'), /import \{[^}]*\bsql(Literal|Identifier)\b[^}]*\} from '\.\.\/\.\.\/engine\/duckdb\.js'/, file);
    }
    for (const file of ['load/stage-database.ts', 'load/load-period.ts', 'load/stage-log.ts', 'load/migrations.ts', 'load/check-period-parquet.ts']) {
      assert.doesNotMatch(readFileSync(path.join(src, file), 'utf8'), /=== '(duckdb|postgres)'/, file);
    }
  });
});
