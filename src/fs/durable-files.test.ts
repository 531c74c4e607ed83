// What reaches the disk, read off the system calls (strace, following the shell and its `sync`): a batch of many
// files is one syncfs however many batches a process makes, a few files are each fsynced with the folders that name
// them, and where there is no `sync -f` every file is fsynced instead.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'durable-files.ts');
const hasStrace = spawnSync('strace', ['-V']).status === 0;

/** `count` files in a run-like folder tree under a fresh root. */
function filesUnder(count: number): { root: string; files: string[] } {
  const root = mkdtempSync(path.join(tmpdir(), 'strata-durable-'));
  const files = Array.from({ length: count }, (_, i) => {
    const file = path.join(root, 'proc=IVg', `date=2026-06-0${(i % 3) + 1}`, `run_id=${i}`, 'part-000.parquet');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `run ${i}`);
    return file;
  });
  return { root, files };
}

/** Runs `makeDurable(root, batch)` for each batch in a process of its own (with `childPath` as its PATH) under strace; the calls traced. */
function traced(root: string, batches: readonly (readonly string[])[], childPath?: string): string[] {
  const log = path.join(root, 'strace.log');
  const script = `import { makeDurable } from ${JSON.stringify(MODULE)};\nfor (const batch of ${JSON.stringify(batches)}) await makeDurable(${JSON.stringify(root)}, batch);`;
  const run = spawnSync(
    'strace',
    ['-f', '-qq', '-y', '-e', 'trace=fsync,fdatasync,syncfs,execve', '-o', log, ...(childPath === undefined ? [] : ['-E', `PATH=${childPath}`]), process.execPath, '--import', 'tsx', '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  return readFileSync(log, 'utf8').split('\n');
}

const fsynced = (calls: readonly string[], file: string) => calls.some((l) => /\bfsync\(/.test(l) && l.includes(`<${file}>`) && !/= -1/.test(l));

describe('making written files durable', { skip: hasStrace ? false : 'strace is not installed' }, () => {
  it('takes one syncfs of the file system for each batch of many files, from one shell for the whole process', () => {
    const { root, files } = filesUnder(60);
    try {
      const batches = [files.slice(0, 20), files.slice(20, 40), files.slice(40)];
      const calls = traced(root, batches);
      const syncfs = calls.filter((l) => /\bsyncfs\(/.test(l) && / = 0$/.test(l));
      assert.equal(syncfs.length, 3, `one syncfs a batch:\n${syncfs.join('\n')}`);
      const shells = calls.filter((l) => /execve\("\/bin\/sh"/.test(l));
      assert.equal(shells.length, 1, 'one shell runs every batch');
      assert.equal(calls.filter((l) => /\bfsync\(/.test(l) && l.includes('part-000.parquet')).length, 0, 'no file fsynced one by one');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fsyncs each of a few files and every folder from it up to the root, and skips a file gone since it was written', () => {
    const { root, files } = filesUnder(4);
    try {
      const gone = files[3]!;
      rmSync(gone);
      const calls = traced(root, [files]);
      assert.equal(calls.filter((l) => /\bsyncfs\(/.test(l)).length, 0, 'no syncfs for a few files');
      for (const file of files.slice(0, 3)) {
        assert.ok(fsynced(calls, file), `${file} fsynced`);
        for (let dir = path.dirname(file); dir !== path.dirname(root); dir = path.dirname(dir)) assert.ok(fsynced(calls, dir), `${dir} fsynced`);
      }
      assert.ok(!fsynced(calls, gone), 'the file gone is not looked for again');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fsyncs every file where coreutils’ sync -f is not to be had', () => {
    const { root, files } = filesUnder(30);
    const emptyPath = mkdtempSync(path.join(tmpdir(), 'strata-no-sync-'));
    try {
      const calls = traced(root, [files], emptyPath);
      assert.equal(calls.filter((l) => /\bsyncfs\(/.test(l)).length, 0, 'no syncfs happened');
      for (const file of files) assert.ok(fsynced(calls, file), `${file} fsynced instead`);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(emptyPath, { recursive: true, force: true });
    }
  });
});
