// A dataset's `file_pattern`, matched in linear time (RE2), so that no file name can make `ingest` hang on it.
import { RE2JS } from 're2js';
import { messageOf } from '../errors.js';

/**
 * RE2's syntax, as Go and Python's `re2` have it: JavaScript's own engine backtracks, and a pattern such as
 * `^(a+)+(?<period>\d{4})$` takes exponential time on a crafted name (`aaaa...a!`). RE2 has no lookaround and
 * no backreferences, which a file-name pattern does not need; `(?<period>...)` and `(?P<period>...)` both work.
 */
export interface FilePattern {
  /** The pattern as written in datasets.yml. */
  readonly source: string;
  /** The `period` capture when `name` matches (anywhere, as RegExp.exec does: anchor with ^ and $), else undefined. */
  periodOf(name: string): string | undefined;
}

/** Far above any file-name pattern; RE2 compiles a longer one slowly and matches it no faster. */
export const MAX_FILE_PATTERN_LENGTH = 1000;

export type FilePatternCompile = { readonly ok: true; readonly pattern: FilePattern } | { readonly ok: false; readonly reason: string };

export function compileFilePattern(source: string): FilePatternCompile {
  if (source.length > MAX_FILE_PATTERN_LENGTH) return { ok: false, reason: `is ${source.length} characters long; at most ${MAX_FILE_PATTERN_LENGTH}` };
  let re2: RE2JS;
  try {
    re2 = RE2JS.compile(source);
  } catch (error) {
    const reason = messageOf(error).replace(/^error parsing regexp: /, '');
    return { ok: false, reason: `not a regular expression strata can match in linear time (RE2 syntax: no lookaround, no backreferences): ${reason}` };
  }
  if (!('period' in re2.namedGroups())) return { ok: false, reason: 'needs a named capture (?<period>...) for the period' };
  return {
    ok: true,
    pattern: {
      source,
      periodOf(name) {
        const matcher = re2.matcher(name);
        return matcher.find() ? (matcher.group('period') ?? undefined) : undefined;
      },
    },
  };
}
