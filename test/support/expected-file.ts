// Golden tests' expected files: compared with what a case produced, written only on request (an update flag) and
// never under CI=true, where a missing one fails, as Observable Framework's snapshot tests do.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ExpectedFileMode {
  /** Write the expected file from what the case produced (the update flag). */
  readonly update: boolean;
  /** Running in CI (CI=true): nothing is ever written, whatever the update flag. */
  readonly ci: boolean;
}

export type ExpectedFileOutcome =
  | { readonly kind: 'same' }
  | { readonly kind: 'differs'; readonly expected: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'written' };

/** The mode the environment asks for: STRATA_UPDATE_GOLDEN=1 updates, CI=true forbids it. */
export function expectedFileMode(env: NodeJS.ProcessEnv, updateVariable: string): ExpectedFileMode {
  const mode = { update: env[updateVariable] === '1', ci: env['CI'] === 'true' };
  if (mode.update && mode.ci) throw new Error(`${updateVariable}=1 under CI=true: expected files are never written in CI; update them locally, review and commit them`);
  return mode;
}

/** Compares `actual` with the expected file; writes it (and only then) when the mode says update. */
export function checkExpectedFile(file: string, actual: string, mode: ExpectedFileMode): ExpectedFileOutcome {
  const present = existsSync(file);
  const expected = present ? readFileSync(file, 'utf8') : null;
  if (expected === actual) return { kind: 'same' };
  if (mode.update && !mode.ci) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return { kind: 'written' };
  }
  return expected === null ? { kind: 'missing' } : { kind: 'differs', expected };
}
