// The README's examples as the tests run them: a section by its heading, its indented lines, shell words split by bash.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/version.js';

export function readme(): string {
  return readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
}

/** A page of docs/ (`procedures.md`), whose examples the tests run as they run the README's. */
export function docPage(name: string): string {
  return readFileSync(path.join(projectRoot, 'docs', name), 'utf8');
}

/** The text under a heading (`## Quick start`, `### The manifest and chip histories`) up to the next heading of any level. */
export function readmeSection(heading: string): string {
  const text = readme();
  const start = text.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `the README has a section ${heading}`);
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The indented lines of a section that start with `prefix` (after the indent), with the prefix and a trailing `# comment` cut. */
export function indentedLines(section: string, prefix: string): string[] {
  return section
    .split('\n')
    .filter((line) => line.startsWith(`    ${prefix}`))
    .map((line) => line.slice(4 + prefix.length).replace(/\s+#\s.*$/, '').trim());
}

/** The `npx strata ...` lines of a section, as argument lists split the way bash splits them (quotes and all). */
export function strataExamples(heading: string): string[][] {
  return indentedLines(readmeSection(heading), 'npx strata ').map(shellWords);
}

export function shellWords(line: string): string[] {
  const out = execFileSync('bash', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}
