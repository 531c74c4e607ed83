// What the parity test needs of the lab's world: its repository (STRATA_LAB_REPO, a bare mirror or a checkout),
// a Python with its dependencies (STRATA_LAB_PYTHON) and the real corpus; skipped with a reason when any is
// missing, and failed instead under STRATA_REQUIRE_LAB=1.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/version.js';
import { tempDir } from '../support/temp-dir.js';

export interface LabEnvironment {
  /** A folder holding the lab's `src/derived/` (a checkout, or the mirror's HEAD extracted for this test run). */
  readonly repo: string;
  readonly python: string;
  readonly corpus: string;
}

const MODULES = ['numpy', 'scipy', 'numba', 'polars', 'pydantic', 'yaml', 'matplotlib'];

let found: { ok: true; env: LabEnvironment } | { ok: false; reason: string } | undefined;

function locate(): { ok: true; env: LabEnvironment } | { ok: false; reason: string } {
  const corpus = process.env['STRATA_LAB_CORPUS'] ?? path.resolve(projectRoot, '../shared/corpus/lab');
  if (!existsSync(corpus)) return { ok: false, reason: `the lab corpus is not at ${corpus}` };
  const source = process.env['STRATA_LAB_REPO'];
  if (!source) return { ok: false, reason: "STRATA_LAB_REPO (the lab's optothermal_processing repository, a bare mirror or a checkout) is not set" };
  const python = process.env['STRATA_LAB_PYTHON'];
  if (!python) return { ok: false, reason: `STRATA_LAB_PYTHON (a Python with ${MODULES.join(', ')}) is not set` };
  try {
    execFileSync(python, ['-c', `import ${MODULES.join(', ')}`], { stdio: 'pipe' });
  } catch (error) {
    return { ok: false, reason: `${python} cannot import ${MODULES.join(', ')}: ${(error as Error).message.split('\n')[0]}` };
  }
  let repo = source;
  if (!existsSync(path.join(source, 'src', 'derived'))) {
    // A bare mirror: its HEAD is extracted into a temp folder for this run only, never into the project.
    repo = path.join(tempDir('strata-lab-repo-'), 'repo');
    mkdirSync(repo);
    try {
      const archive = execFileSync('git', ['--git-dir', source, 'archive', '--format=tar', 'HEAD'], { maxBuffer: 1 << 30 });
      execFileSync('tar', ['-x', '-C', repo], { input: archive });
    } catch (error) {
      return { ok: false, reason: `STRATA_LAB_REPO=${source} is neither a checkout with src/derived nor a git repository (${(error as Error).message.split('\n')[0]})` };
    }
    if (!existsSync(path.join(repo, 'src', 'derived'))) return { ok: false, reason: `${source} has no src/derived at HEAD` };
  }
  return { ok: true, env: { repo, python, corpus } };
}

/** The lab's environment, or null with the reason to skip; throws under STRATA_REQUIRE_LAB=1 when it is missing. */
export function labEnvironment(): { readonly env: LabEnvironment | null; readonly skip: string | false } {
  found ??= locate();
  if (found.ok) return { env: found.env, skip: false };
  if (process.env['STRATA_REQUIRE_LAB'] === '1') throw new Error(`STRATA_REQUIRE_LAB=1 but ${found.reason}`);
  return { env: null, skip: found.reason };
}
