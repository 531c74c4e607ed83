// The package version and the extraction version recorded with every staged run.
import { execFileSync } from 'node:child_process';
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

let cachedExtraction: string | undefined;
/** `git describe` of the project when it is a checkout, else the package version. */
export function extractionVersion(): string {
  if (cachedExtraction !== undefined) return cachedExtraction;
  try {
    cachedExtraction = execFileSync('git', ['describe', '--always', '--dirty', '--tags'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    })
      .toString()
      .trim();
  } catch {
    cachedExtraction = packageVersion();
  }
  if (!cachedExtraction) cachedExtraction = packageVersion();
  return cachedExtraction;
}
