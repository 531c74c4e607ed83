// The one rule for a value read from a file that becomes part of a path: a chip group, a procedure, a run id, a
// dataset, a sample's name. A value that breaks it never reaches the file system; the caller says so in a sentence.

/**
 * Letters and digits of any script, then also `_ . + -` and single spaces between words (a chip group "De La Cruz",
 * a file "run 2.csv"); never a separator, a glob or quote character, a leading dot or an edge space.
 */
const SAFE_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{N}_.+-]| (?=[\p{L}\p{N}_.+-]))*$/u;
/** Folder names stay far below every file system's 255-byte limit, with room for the `proc=` and `_history.csv`. */
export const SAFE_NAME_MAX_LENGTH = 100;

export type NameCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Whether `value` may name a folder or file: `what` says what it is in the sentence when it may not
 * ("a chip group name must be ... ; found '../../tmp/x'").
 */
export function checkSafeName(value: string, what: string): NameCheck {
  if (value.length > 0 && value.length <= SAFE_NAME_MAX_LENGTH && SAFE_NAME.test(value)) return { ok: true };
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return {
    ok: false,
    reason:
      `${what} must be letters, digits, '_', '.', '+', '-' or single spaces between them (1 to ${SAFE_NAME_MAX_LENGTH} ` +
      `characters, starting with a letter or digit), because it becomes part of a folder or file name; found ${shown}`,
  };
}

export function isSafeName(value: string): boolean {
  return checkSafeName(value, 'a name').ok;
}
