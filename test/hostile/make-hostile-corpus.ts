// The hostile corpus of issue 21: every kind of file that once made strata write outside its roots, run script in a
// browser, exhaust memory or hang, mixed with good files. `node --import tsx test/hostile/make-hostile-corpus.ts DIR`.
import { existsSync, mkdirSync, readdirSync, utimesSync, lutimesSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { writeHostileRawFiles, type RawEntry } from './hostile-raw-files.js';
import { writeBronzeFiles, writeLandedFiles, type LandedEntry, type LoggedEntry } from './hostile-sources.js';

export interface HostileCorpus {
  readonly root: string;
  /** Raw instrument files, for `strata stage --raw-root`. */
  readonly raw: string;
  readonly rawEntries: readonly RawEntry[];
  /** Files that links and log lines point at: no command may read them. */
  readonly outside: string;
  /** Where a name that climbs to the file system's root lands: no command may write there (nor anywhere else). */
  readonly escaped: string;
  /** The landed flow's data root: `landed/` and `datasets.yml`. */
  readonly landed: { readonly dataRoot: string; readonly datasetsYaml: string; readonly entries: readonly LandedEntry[] };
  /** The processed-files log and its bronze root. */
  readonly bronze: { readonly log: string; readonly root: string; readonly entries: readonly LoggedEntry[] };
}

/** Every file's modification time: a fixed instant, so that the same folder gets the same corpus, byte and stat. */
const MTIME = new Date('2025-10-23T12:00:00Z');

/**
 * Writes the corpus into `root` (which must not exist or be empty). The same `root` always gets the same bytes;
 * the names that climb to `/` come back down into `root`, so they name the folder they are written in.
 */
export async function makeHostileCorpus(root: string): Promise<HostileCorpus> {
  const absolute = path.resolve(root);
  if (existsSync(absolute) && readdirSync(absolute).length > 0) throw new Error(`${absolute} is not empty`);
  const raw = path.join(absolute, 'raw');
  const outside = path.join(absolute, 'outside');
  const escaped = path.join(absolute, 'escaped');
  const good = await generateLabCorpus({ root: path.join(raw, 'lab'), files: 48, seed: 21, startDate: '2025-10-01', days: 4, badFiles: true, variants: true });
  const rawEntries: RawEntry[] = good.files.map((file) => ({
    relPath: `lab/${file.relPath}`,
    kind: file.kind === 'good' ? 'good' : 'reject',
    items: [0],
    what: file.kind === 'good' ? `a lab ${file.proc} file` : `a bad lab file (${file.problem})`,
  }));
  rawEntries.push(...writeHostileRawFiles(raw, outside, escaped));
  const dataRoot = path.join(absolute, 'landed-site');
  const landedEntries = writeLandedFiles(dataRoot);
  const site = path.join(absolute, 'bronze-site');
  const loggedEntries = await writeBronzeFiles(site, outside);
  stampEveryFile(absolute);
  return {
    root: absolute,
    raw,
    rawEntries,
    outside,
    escaped,
    landed: { dataRoot, datasetsYaml: path.join(dataRoot, 'datasets.yml'), entries: landedEntries },
    bronze: { log: path.join(site, 'manifests', 'processed.jsonl'), root: path.join(site, 'bronze'), entries: loggedEntries },
  };
}

/** Gives every file and link under `dir` the one modification time (links themselves, never what they point at). */
function stampEveryFile(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    if (entry.isSymbolicLink()) lutimesSync(file, MTIME, MTIME);
    else if (lstatSync(file).isFile()) utimesSync(file, MTIME, MTIME);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir] = process.argv.slice(2);
  if (dir === undefined) {
    process.stderr.write('usage: node --import tsx test/hostile/make-hostile-corpus.ts DIR\n');
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  const corpus = await makeHostileCorpus(dir);
  process.stdout.write(
    `${JSON.stringify({ root: corpus.root, raw: corpus.rawEntries.length, landed: corpus.landed.entries.length, logged: corpus.bronze.entries.length })}\n`,
  );
}
