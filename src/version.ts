// The package version and the extraction version recorded with every staged run.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project root: where package.json and the shipped config/ live (works from src/ and dist/src/). */
export const projectRoot: string = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    try {
      readFileSync(path.join(dir, 'package.json'));
      return dir;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return start;
      dir = parent;
    }
  }
}

let cachedVersion: string | undefined;
export function packageVersion(): string {
  cachedVersion ??= (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return cachedVersion;
}

/**
 * The version recorded with every staged run: the package's own. Read from package.json, never from `git` at run
 * time, so no command pays for a child process and a checkout records the same value as an installed package.
 */
export function extractionVersion(): string {
  return packageVersion();
}
