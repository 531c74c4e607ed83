// The bytes a raw table's fields may be separated by: the table parsers split on one byte, without making strings.

export const COMMA = 0x2c;
export const TAB = 0x09;

export type Delimiter = typeof COMMA | typeof TAB;

/** How the delimiter is named in a sentence: `values separated by commas`. */
export function delimiterWord(delimiter: Delimiter): 'commas' | 'tabs' {
  return delimiter === TAB ? 'tabs' : 'commas';
}
