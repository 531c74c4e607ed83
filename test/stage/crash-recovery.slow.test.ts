// kill -9 in the middle of a first run, at seeded moments: nothing partial is visible, the next run adopts what
// was published and journaled, every raw file ends up staged exactly once, and the manifest validates clean.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../src/engine/duckdb.js';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import { validateManifest } from '../../src/lake/validate-manifest.js';
import { seededRandom } from '../../src/demo/seeded-random.js';
import { tempDir } from '../support/temp-dir.js';
import { lakeConfig } from '../support/stage-lake.js';
import { lakeLayout } from '../../src/lake/lake-layout.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'stage-child.ts');
/**
 * Files a kill can cost beyond the journal: those published whose journal line was not written yet (the main
 * thread publishes a file and journals it in one go, so one; four leaves room).
 */
const IN_FLIGHT_BOUND = 2 * 2;

/**
 * One stage run in a child process, killed with SIGKILL once its journal holds `killAtRuns` runs (by its size, a
 * journaled run being ~1 KB): a moment in the run's own progress, not on the clock, so a fast machine cannot
 * finish the run before it.
 */
function runChild(raw: string, lake: string, killAtRuns?: number): Promise<{ killed: boolean; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, raw, lake], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const journal = lakeLayout(lakeConfig(raw, lake)).journal;
    const timer =
      killAtRuns === undefined
        ? undefined
        : setInterval(() => {
            if (existsSync(journal) && statSync(journal).size >= killAtRuns * 1000) child.kill('SIGKILL');
          }, 2);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (signal === 'SIGKILL') resolve({ killed: true, stdout });
      else if (code === 0) resolve({ killed: false, stdout });
      else reject(new Error(`stage child exited ${code}: ${stderr}`));
    });
  });
}

function parquetFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.parquet')) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

describe('a stage run killed with kill -9', () => {
  it('loses at most the files in flight, and the next run finishes the job exactly once', { timeout: 300_000 }, async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const corpus = await generateLabCorpus({ root: raw, files: 2000, seed: 99 });
    const lakeRoot = path.join(root, 'lake');
    const config = lakeConfig(raw, lakeRoot);
    const random = seededRandom(2026, 12);
    const engine = await Engine.open();
    const conn = await engine.connect();
    let kills = 0;
    try {
      for (let attempt = 0; attempt < 4; attempt++) {
        const run = await runChild(raw, lakeRoot, random.int(100, 1200));
        if (!run.killed) break;
        kills++;
        // No partial file is visible: every Parquet file a reader's glob finds is whole.
        const staged = parquetFiles(config.stageRoot).filter((f) => !path.basename(f).startsWith('.'));
        for (const file of staged) {
          const bytes = readFileSync(file);
          assert.equal(bytes.subarray(-4).toString('latin1'), 'PAR1', file);
        }
        const merged = (await readManifest(conn, config.manifestPath).catch(() => [])).length;
        const next = await runChild(raw, lakeRoot, random.int(100, 600));
        if (!next.killed) {
          const summary = JSON.parse(next.stdout.trim().split('\n').pop()!) as { ok: number; adopted: number };
          // Redone work: what the killed run had published but neither merged nor journaled.
          const redone = staged.length - merged - summary.adopted;
          assert.ok(redone <= IN_FLIGHT_BOUND, `redid ${redone} published files (bound ${IN_FLIGHT_BOUND})`);
          break;
        }
        kills++;
      }
      const final = await runChild(raw, lakeRoot);
      assert.equal(final.killed, false);
      assert.ok(kills >= 1, 'the schedule killed at least one run');
      const rows = await readManifest(conn, config.manifestPath);
      const good = corpus.files.filter((f) => f.kind === 'good');
      assert.equal(rows.length, good.length);
      assert.equal(new Set(rows.map((r) => r.source_file)).size, good.length, 'every raw file staged exactly once');
      const validation = await validateManifest(conn, { manifestPath: config.manifestPath, stageRoot: config.stageRoot });
      assert.deepEqual(validation.findings, []);
    } finally {
      engine.close();
    }
  });
});
