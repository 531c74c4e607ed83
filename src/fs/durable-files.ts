// Files just written reach the disk before anything names them (the manifest, the catalog), so that a power cut
// never leaves a name without its bytes. Many files: one syncfs(2) of their file system, one journal commit. A few
// (a watcher's trickle): fsync of each file and of the folders that name it, so that other programs' writes to the
// same disk do not hold them back.
//
// Node has no syncfs; coreutils' `sync -f` has. It runs from one long-lived shell: spawning it from this process
// forks the whole process first, which costs the calling thread tens of milliseconds once the process is large (its
// page tables are copied), a price a stager would pay every batch; the small shell forks cheaply.
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { Socket } from 'node:net';
import path from 'node:path';

/** Up to this many files are fsynced one by one; more take one syncfs. */
const FSYNC_EACH_UP_TO = 16;

/**
 * Makes `files` (absolute paths, all under `root`) and the folders between them and `root` durable. A file gone
 * since it was written (replaced by a later run) is skipped. Where syncfs is not to be had (no coreutils `sync`,
 * another system's `sync` without -f) each file is fsynced instead. Rejects when the disk reports an error.
 */
export async function makeDurable(root: string, files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  if (files.length > FSYNC_EACH_UP_TO && (await syncFileSystem(root))) return;
  const folders = new Set<string>();
  for (const file of files) {
    for (let dir = path.dirname(file); dir.length >= root.length && !folders.has(dir); dir = path.dirname(dir)) {
      folders.add(dir);
      if (dir === root || dir === path.dirname(dir)) break;
    }
  }
  await Promise.all(files.map(fsyncIfThere));
  await Promise.all([...folders].map(fsyncIfThere));
}

async function fsyncIfThere(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
    await handle.sync();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    await handle?.close();
  }
}

/** The shell's pipes are sockets: they can be unreferenced, so that an idle shell keeps no process alive. */
interface Shell {
  readonly stdin: Socket;
  readonly stdout: Socket;
}

let shell: Shell | undefined;
let unavailable = false;
/** Requests in the order sent; the shell answers each with its exit status on a line of its own. */
const waiting: ((ok: boolean) => void)[] = [];
let answers = '';

/** syncfs of the file system holding `root`: true once done, false when syncfs is not to be had here. */
function syncFileSystem(root: string): Promise<boolean> {
  // A folder's name with a line break cannot go through the shell's line-by-line reading (never seen in practice).
  if (unavailable || root.includes('\n')) return Promise.resolve(false);
  const child = (shell ??= startShell());
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) child.stdout.ref();
    child.stdin.write(`${root}\n`);
  });
}

function startShell(): Shell {
  const sh = spawn('/bin/sh', ['-c', 'while IFS= read -r d; do sync -f -- "$d" 2>/dev/null; echo $?; done'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const child = sh as unknown as Shell;
  const answer = (ok: boolean) => {
    waiting.shift()?.(ok);
    if (waiting.length === 0) child.stdout.unref();
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    answers += text;
    for (let end = answers.indexOf('\n'); end >= 0; end = answers.indexOf('\n')) {
      const status = answers.slice(0, end);
      answers = answers.slice(end + 1);
      // 1 is also what a `sync` without -f says; a real I/O error then shows again in the fsyncs that follow.
      if (status !== '0') unavailable = true;
      answer(status === '0');
    }
  });
  const gone = () => {
    unavailable = true;
    shell = undefined;
    while (waiting.length > 0) answer(false);
  };
  sh.on('error', gone).on('exit', gone);
  child.stdin.on('error', gone);
  // An idle shell keeps no process alive; it ends with this one (its stdin closes).
  sh.unref();
  child.stdin.unref();
  child.stdout.unref();
  return child;
}
