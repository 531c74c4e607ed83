// The page's files: a fixed list (the page itself and uPlot from its package), so no URL ever names a file.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../version.js';

export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

const PAGE_DIR = path.join(projectRoot, 'src', 'serve', 'page');
const require = createRequire(import.meta.url);
const UPLOT_DIR = path.join(path.dirname(require.resolve('uplot/package.json')), 'dist');

const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: path.join(PAGE_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: path.join(PAGE_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/chart.js': { file: path.join(PAGE_DIR, 'chart.js'), type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: path.join(PAGE_DIR, 'app.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': { file: path.join(UPLOT_DIR, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.min.css': { file: path.join(UPLOT_DIR, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, StaticFile>();

/** The file served at `urlPath`, or null: only the listed paths exist. */
export function staticFile(urlPath: string): StaticFile | null {
  const entry = FILES[urlPath];
  if (entry === undefined) return null;
  let found = cache.get(urlPath);
  if (found === undefined) cache.set(urlPath, (found = { type: entry.type, body: readFileSync(entry.file) }));
  return found;
}
