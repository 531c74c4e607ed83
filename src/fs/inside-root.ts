// Whether a path lies under a root, with symbolic links resolved: the last check before strata reads or writes a
// path that a file's contents helped to make.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** Whether `inner` is `outer` or lies inside it (symbolic links resolved where the paths exist). */
export function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(realPath(outer), realPath(inner));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** `p` with the symbolic links of its existing part resolved; the missing rest is appended as it is. */
export function realPath(p: string): string {
  const missing: string[] = [];
  let at = path.resolve(p);
  while (!existsSync(at) && path.dirname(at) !== at) {
    missing.unshift(path.basename(at));
    at = path.dirname(at);
  }
  return path.join(realpathSync(at), ...missing);
}
