// Events are appended as each file ends: a stage run killed halfway (SIGKILL, or SIGTERM, which a stage run does not
// catch) leaves an event for every file it had finished.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { lakeLayout } from '../../src/lake/lake-layout.js';
import { tempDir } from '../support/temp-dir.js';
import { lakeConfig } from '../support/stage-lake.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'stage-child.ts');

/** Runs a stage in a child process and sends it `signal` once its journal holds about `runs` staged runs. */
function killedAt(raw: string, lake: string, runs: number, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, raw, lake], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const journal = lakeLayout(lakeConfig(raw, lake)).journal;
    // A journaled run is about 1 KB.
    const timer = setInterval(() => {
      if (existsSync(journal) && statSync(journal).size >= runs * 1000) child.kill(signal);
    }, 2);
    child.on('error', reject);
    child.on('exit', (code, received) => {
      clearInterval(timer);
      if (received === signal) resolve();
      else reject(new Error(`the stage run ended (${code ?? received}) before it was killed: ${stderr}`));
    });
  });
}

/** The source files of the complete lines of a JSON-lines file, with `kind` when given. */
function sourcesIn(file: string, kind?: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const value = JSON.parse(line) as { source_file: string; kind?: string };
        return kind === undefined || value.kind === kind ? [value.source_file] : [];
      } catch {
        return []; // the line being written when the run was killed
      }
    });
}

describe('the events of a stage run that is killed halfway', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`hold an event for every file it had finished (${signal})`, { timeout: 300_000 }, async () => {
      const root = tempDir();
      const raw = path.join(root, 'raw');
      await generateLabCorpus({ root: raw, files: 2000, seed: 7 });
      const lake = path.join(root, 'lake');
      await killedAt(raw, lake, 300, signal);
      const config = lakeConfig(raw, lake);
      const journaled = sourcesIn(lakeLayout(config).journal);
      assert.ok(journaled.length >= 100, `the run had staged ${journaled.length} files`);
      const [events, ...more] = readdirSync(config.eventsDir);
      assert.equal(more.length, 0);
      const staged = new Set(sourcesIn(path.join(config.eventsDir, events!), 'ok'));
      // The run journals a file, then appends its event: a kill between the two loses that one event.
      const missing = journaled.filter((source) => !staged.has(source));
      assert.ok(missing.length <= 1, `${missing.length} of ${journaled.length} journaled files have no event`);
    });
  }
});
