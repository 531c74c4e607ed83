// The one order of relative paths (forward slashes) that the raw root's walk yields and the index copy keeps, so
// the two can be read side by side: JavaScript's string order (UTF-16 code units), as Array#sort gives.
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
