// Finds the Python that reads Parquet in the tests (STRATA_PYTHON, else the CI venv) and which readers it has.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type PythonReaders =
  | {
      readonly ok: true;
      readonly python: string;
      readonly polars: boolean;
      readonly pyarrow: boolean;
      readonly pandas: boolean;
      /** Runs a script with arguments and returns its stdout. */
      run(script: string, args?: readonly string[]): string;
    }
  | { readonly ok: false; readonly reason: string };

let found: PythonReaders | undefined;

/**
 * Ends a script that ran to its end without the interpreter's teardown, where PyArrow's Parquet threads now and
 * then abort the process after all its work ("terminate called without an active exception", apache/arrow#34314;
 * seen here once in a full test run, on a file every reader had read). A script that fails still fails.
 */
const EXIT_WITHOUT_TEARDOWN = 'import os as _os, sys as _sys\n_sys.stdout.flush()\n_sys.stderr.flush()\n_os._exit(0)';

function locate(): PythonReaders {
  const python = process.env['STRATA_PYTHON'] ?? path.join(repo, '.venv-readers', 'bin', 'python');
  if (!existsSync(python)) return { ok: false, reason: `no Python at ${python}: set STRATA_PYTHON, or make .venv-readers (see .ci/run)` };
  const probe = 'import importlib.util as u, json; print(json.dumps({m: u.find_spec(m) is not None for m in ["polars", "pyarrow", "pandas"]}))';
  try {
    const has = JSON.parse(execFileSync(python, ['-c', probe], { encoding: 'utf8' })) as Record<string, boolean>;
    if (!(has['polars'] && has['pyarrow'] && has['pandas'])) return { ok: false, reason: `${python} lacks polars, pyarrow or pandas` };
    return {
      ok: true,
      python,
      polars: true,
      pyarrow: true,
      pandas: true,
      run: (script, args = []) => execFileSync(python, ['-c', `${script}\n${EXIT_WITHOUT_TEARDOWN}`, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }),
    };
  } catch (error) {
    return { ok: false, reason: `${python} did not run: ${(error as Error).message}` };
  }
}

/** The interpreter with all three readers, or why there is none; with STRATA_REQUIRE_PY=1 a missing one throws. */
export function pythonReaders(): PythonReaders {
  found ??= locate();
  if (!found.ok && process.env['STRATA_REQUIRE_PY'] === '1') throw new Error(`STRATA_REQUIRE_PY=1 but ${found.reason}`);
  return found;
}

/** The reason to skip the Python readers' tests, or null to run them; throws when STRATA_REQUIRE_PY=1 and absent. */
export function pythonSkipReason(): string | null {
  const readers = pythonReaders();
  return readers.ok ? null : readers.reason;
}

/** Runs a Python script with arguments and returns its stdout parsed as JSON. */
export function runPythonJson(script: string, args: readonly string[]): unknown {
  const readers = pythonReaders();
  if (!readers.ok) throw new Error(readers.reason);
  return JSON.parse(readers.run(script, args));
}
