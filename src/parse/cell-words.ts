// The one vocabulary of cells: the words that mean yes, no and "no value", in headers, raw data rows and landed files.
//
// Decided on purpose: yes/no are the spellings people and Python write (`1/0`, `true/false`, `yes/no`, `on/off`),
// compared without case or surrounding spaces. Single letters (`y`, `t`, `n`, `f`) are not words: a cell holding `t`
// or `n` is more often a unit or a name than a yes or a no, and reading it as one would hide the mistake.
// "No value" is an empty cell, NaN in the spellings numeric writers use, and Python's `None` (the instrument
// software writes it into headers as text).

export const YES_WORDS: ReadonlySet<string> = new Set(['1', 'true', 'yes', 'on']);
export const NO_WORDS: ReadonlySet<string> = new Set(['0', 'false', 'no', 'off']);

/** The exact spellings of "no value" in a data table, for readers that compare cells as written (DuckDB's nullstr). */
export const NULL_SPELLINGS: readonly string[] = ['', 'nan', 'NaN', 'NAN', '-nan', '-NaN', '+nan', 'None'];

const NULL_WORDS: ReadonlySet<string> = new Set(NULL_SPELLINGS.map((w) => w.toLowerCase()));

/** true for a yes word, false for a no word, undefined for anything else. */
export function yesNo(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (YES_WORDS.has(word)) return true;
  if (NO_WORDS.has(word)) return false;
  return undefined;
}

/** Whether a cell says "no value" (empty, NaN, None), whatever its case and surrounding spaces. */
export function isNullWord(text: string): boolean {
  return NULL_WORDS.has(text.trim().toLowerCase());
}
