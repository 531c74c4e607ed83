// Where a table read piece by piece may be cut: after a line break that is not inside a quoted field, so each
// piece holds whole rows and parses on its own as the whole table would (data-table.ts).
const LF = 0x0a;
const QUOTE = 0x22;

/**
 * The end (just past its line feed) of the last whole row in bytes [from, end), or -1 when there is none. A line
 * feed inside a quoted field does not end a row: a double quote opens or closes a field, and an escaped one ("")
 * does both, so the count of quotes before a line feed is even exactly when it is outside a field.
 */
export function wholeRowsEnd(bytes: Buffer, from: number): number {
  if (bytes.indexOf(QUOTE, from) < 0) {
    const last = bytes.lastIndexOf(LF);
    return last >= from ? last + 1 : -1;
  }
  let outside = -1;
  let inside = false;
  for (let at = from; at < bytes.length; ) {
    const quote = bytes.indexOf(QUOTE, at);
    const stop = quote < 0 ? bytes.length : quote;
    if (!inside && stop > at) {
      const lf = bytes.lastIndexOf(LF, stop - 1);
      if (lf >= at) outside = lf + 1;
    }
    if (quote < 0) break;
    inside = !inside;
    at = quote + 1;
  }
  return outside;
}

/** How many line feeds bytes [from, to) hold. */
export function countLineFeeds(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = bytes.indexOf(LF, from); i >= 0 && i < to; i = bytes.indexOf(LF, i + 1)) count++;
  return count;
}
