// Reads a YAML file and checks it against a zod schema; every problem is one config error naming the file and the key.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { z } from 'zod';
import { configError } from '../errors.js';

// The parser is loaded when a YAML file is first read: a stage run from cached config reads none, and its start-up
// does not pay for loading it.
const require = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;
const yaml = () => (loaded ??= require('yaml') as typeof Yaml);

/** The parsed document of a YAML file; `what` names it for people ("the procedures YAML"). */
export function readYamlFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw configError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { file });
  }
  return parseYamlText(text, file, what);
}

/** The parsed document of YAML text; a syntax error is one line with its line and column. */
export function parseYamlText(text: string, file: string, what: string): unknown {
  try {
    return yaml().parse(text);
  } catch (error) {
    if (error instanceof yaml().YAMLParseError) {
      const at = error.linePos?.[0];
      const where = at ? ` at line ${at.line}, column ${at.col}` : '';
      const reason = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw configError(`${what} ${file} is not valid YAML${where}: ${reason}`, { file });
    }
    throw configError(`${what} ${file} is not valid YAML: ${String(error)}`, { file });
  }
}

/** The sentence for the first problem found, naming the file and where in it. */
export type DescribeYamlIssue = (issue: z.core.$ZodIssue | undefined, file: string, what: string) => string;

const atKeyPath: DescribeYamlIssue = (issue, file, what) =>
  `${what} ${file} is invalid at '${issue?.path.join('.') || '(top level)'}': ${issue?.message ?? 'unknown problem'}.`;

/** The document checked by `schema`; the first problem names its key path (`procedures.It.data`) unless `describe` words it. */
export function checkYaml<T>(schema: z.ZodType<T>, raw: unknown, file: string, what: string, describe: DescribeYamlIssue = atKeyPath): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw configError(describe(parsed.error.issues[0], file, what), { file });
}
