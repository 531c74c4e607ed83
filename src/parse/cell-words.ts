// The one vocabulary of cells: the words that mean yes, no and "no value", and the numbers a cell can hold, in
// headers, raw data rows and landed files.
//
// Decided on purpose: yes/no are the spellings people and Python write (`1/0`, `true/false`, `yes/no`, `on/off`),
// compared without case or surrounding spaces. Single letters (`y`, `t`, `n`, `f`) are not words: a cell holding `t`
// or `n` is more often a unit or a name than a yes or a no, and reading it as one would hide the mistake.
//
// "No value" has two rules, one per kind of file, and the difference is on purpose:
// - an instrument file (a raw header value or a raw table cell, whatever its column's type) is written by Python:
//   an empty cell, NaN in the spellings numeric writers use, and `None` (Python's null as text) are all no value;
// - a landed file is checked against the types its dataset declares, not guessed at: only an empty cell is no
//   value, so `nan` or `None` in a number, date or yes/no column is an error to fix at the source, and text in a
//   text column.
// What fits is the same in both: a whole number in the 64-bit range, a decimal number a 64-bit float holds.

export const YES_WORDS: ReadonlySet<string> = new Set(['1', 'true', 'yes', 'on']);
export const NO_WORDS: ReadonlySet<string> = new Set(['0', 'false', 'no', 'off']);

/** The exact spellings of "no value" in an instrument file, for readers that compare cells as written. */
export const NULL_SPELLINGS: readonly string[] = ['', 'nan', 'NaN', 'NAN', '-nan', '-NaN', '+nan', 'None'];

const NULL_WORDS: ReadonlySet<string> = new Set(NULL_SPELLINGS.map((w) => w.toLowerCase()));

/** true for a yes word, false for a no word, undefined for anything else. */
export function yesNo(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (YES_WORDS.has(word)) return true;
  if (NO_WORDS.has(word)) return false;
  return undefined;
}

/** Whether an instrument file's cell says "no value" (empty, NaN, None), whatever its case and surrounding spaces. */
export function isNullWord(text: string): boolean {
  return NULL_WORDS.has(text.trim().toLowerCase());
}

/** Whether a landed file's cell (already trimmed as its column is) says "no value": only when it is empty. */
export function isLandedNull(cell: string): boolean {
  return cell === '';
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const WHOLE = /^[+-]?\d+$/;

export type WholeNumber = { readonly ok: true; readonly value: bigint } | { readonly ok: false; readonly outOfRange: boolean };

/** A whole number (`-12`, `+7`, `0042`) that a 64-bit integer column holds; `outOfRange` when it is whole but too large. */
export function wholeNumber(text: string): WholeNumber {
  if (!WHOLE.test(text)) return { ok: false, outOfRange: false };
  const value = BigInt(text);
  return value > INT64_MAX || value < INT64_MIN ? { ok: false, outOfRange: true } : { ok: true, value };
}

/**
 * Whether `value`, what Number() gave for the decimal `text`, lost the number: infinite (`1e400`) or zero for a
 * number that is not (`1e-400`). Any other decimal rounds to a double near it, as every reader of the lake rounds.
 */
export function isOutOfDoubleRange(text: string, value: number): boolean {
  if (value === Infinity || value === -Infinity) return /^[+-]?[\d.]/.test(text);
  return value === 0 && /^[+-]?0*\.?0*[1-9]/.test(text);
}
