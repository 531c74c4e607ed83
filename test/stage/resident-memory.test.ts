// A resident stager's main thread keeps its young generation at its size, workers or not: V8 resets the flag that
// holds it whenever it makes a heap, so the stage workers hold it again once each is up, and so does the thread that
// writes a big file's Parquet (resident-memory.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { tempDir } from '../support/temp-dir.js';
import type { ChildMode } from './support/resident-heap-child.js';

interface Young {
  readonly staged: number;
  /** This thread's young generation once the files are staged, and after the allocations. */
  readonly beforeMb: number;
  readonly afterMb: number;
}

const CHILD = fileURLToPath(new URL('./support/resident-heap-child.ts', import.meta.url));

async function youngGeneration(mode: ChildMode): Promise<Young> {
  const root = tempDir();
  const raw = path.join(root, 'raw');
  await generateLabCorpus({ root: raw, files: 8, seed: 11 });
  const out = execFileSync(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', CHILD, raw, path.join(root, 'lake'), mode], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Young;
}

// The children may grow the young generation to 128 MB (semi-spaces of 64 MB): whatever size a resident one has
// reached while it started, it has room left to grow, which it must not.
describe("a resident stager's memory", () => {
  it("keeps the main thread's young generation at its size once the workers are up; a one-shot run lets V8 grow it", async () => {
    const resident = await youngGeneration('resident');
    const oneShot = await youngGeneration('one-shot');
    assert.equal(resident.staged, 8);
    assert.equal(oneShot.staged, 8);
    assert.equal(resident.afterMb, resident.beforeMb, `the resident stager's young generation grew from ${resident.beforeMb} to ${resident.afterMb} MB`);
    // Without the hold V8 grows it (up to 128 MB with the child's --max-semi-space-size), or this test shows nothing.
    assert.ok(oneShot.afterMb > oneShot.beforeMb, `a one-shot run's young generation stayed at ${oneShot.afterMb} MB`);
  });
});

describe("a resident stager's memory, once a big file's writer thread has run", () => {
  it("keeps the main thread's young generation at its size when the writer holds it again; V8 grows it otherwise", async () => {
    const held = await youngGeneration('resident, held writer');
    const unheld = await youngGeneration('resident, unheld writer');
    assert.equal(held.afterMb, held.beforeMb, `the young generation grew from ${held.beforeMb} to ${held.afterMb} MB after a held writer`);
    assert.ok(unheld.afterMb > unheld.beforeMb, `after a writer that does not hold it, the young generation stayed at ${unheld.afterMb} MB`);
  });
});
