// Finds a Python with the lab's readers (pyarrow, pandas, polars): STRATA_PYTHON, else the venv CI makes.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/version.js';

export type PythonReaders =
  | { readonly ok: true; readonly python: string; run(script: string, args?: readonly string[]): string }
  | { readonly ok: false; readonly reason: string };

let found: PythonReaders | undefined;

/** The interpreter, or why there is none; with STRATA_REQUIRE_PY=1 a missing one throws (the test fails). */
export function pythonReaders(): PythonReaders {
  found ??= locate();
  if (!found.ok && process.env['STRATA_REQUIRE_PY'] === '1') throw new Error(`STRATA_REQUIRE_PY=1 but ${found.reason}`);
  return found;
}

function locate(): PythonReaders {
  const candidates = [process.env['STRATA_PYTHON'], path.join(projectRoot, '.venv-readers', 'bin', 'python')].filter((p): p is string => !!p);
  const python = candidates.find((p) => existsSync(p));
  if (!python) return { ok: false, reason: 'no Python with pyarrow, pandas and polars (set STRATA_PYTHON, or make .venv-readers as .ci/run does)' };
  try {
    execFileSync(python, ['-c', 'import pyarrow, pandas, polars'], { stdio: 'pipe' });
  } catch {
    return { ok: false, reason: `${python} lacks pyarrow, pandas or polars` };
  }
  return {
    ok: true,
    python,
    run: (script, args = []) => execFileSync(python, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }),
  };
}
