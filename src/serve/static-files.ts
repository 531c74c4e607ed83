// The page's files: the files of src/serve/page, listed once at start-up, so no URL ever names a file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../version.js';

export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

const PAGE_DIR = path.join(projectRoot, 'src', 'serve', 'page');
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** URL path -> file: `/` is the page, every other file of the folder is served under its own name. */
const FILES: ReadonlyMap<string, { readonly file: string; readonly type: string }> = new Map(
  readdirSync(PAGE_DIR)
    .filter((name) => TYPES[path.extname(name)] !== undefined)
    .flatMap((name) => {
      const entry = { file: path.join(PAGE_DIR, name), type: TYPES[path.extname(name)]! };
      if (name === 'index.html') return [['/', entry] as const];
      // Browsers ask for /favicon.ico whatever the page says; it gets the same picture.
      if (name === 'favicon.svg') return [[`/${name}`, entry] as const, ['/favicon.ico', entry] as const];
      return [[`/${name}`, entry] as const];
    }),
);

const cache = new Map<string, StaticFile>();

/** The file served at `urlPath`, or null: only the listed paths exist. */
export function staticFile(urlPath: string): StaticFile | null {
  const entry = FILES.get(urlPath);
  if (entry === undefined) return null;
  let found = cache.get(urlPath);
  if (found === undefined) cache.set(urlPath, (found = { type: entry.type, body: readFileSync(entry.file) }));
  return found;
}
