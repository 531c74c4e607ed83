// The one rule for a path inside a lake location: relative, forward slashes, no empty, `.` or `..` segment, no
// control character and no backslash, no temp file's name, so that it means the same object on a folder and on S3 and never leaves
// the location.
import { StrataError } from '../errors.js';
import { isTempFile } from '../fs/atomic-file.js';

const CONTROL = /[\u0000-\u001f\u007f\\]/;

/** Why `path` cannot name an object, or null when it can. */
export function objectPathProblem(path: string): string | null {
  if (path === '') return 'it is empty';
  if (path.startsWith('/')) return 'it starts with "/" (paths are relative to the location)';
  if (CONTROL.test(path)) return 'it holds a control character or a backslash';
  for (const segment of path.split('/')) {
    if (segment === '') return 'it has an empty segment ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return `it has a "${segment}" segment`;
    if (isTempFile(segment)) return 'it is named as an unfinished write (a temp file) is';
  }
  return null;
}

/** `path`, checked; a bad one is a usage error that names the location and the path. */
export function checkedObjectPath(location: string, path: string): string {
  const problem = objectPathProblem(path);
  if (problem !== null) throw new StrataError('usage', `${location}: ${JSON.stringify(path)} cannot name an object: ${problem}.`, { location, path });
  return path;
}

/**
 * A listing prefix, checked as a path but allowed to be empty or to end in "/" (`proc=It/`) or mid-segment
 * (`proc=It/date=2024-`).
 */
export function checkedListPrefix(location: string, prefix: string): string {
  if (prefix === '') return prefix;
  const trimmed = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  const problem = objectPathProblem(trimmed);
  if (problem !== null) throw new StrataError('usage', `${location}: ${JSON.stringify(prefix)} cannot be a listing prefix: ${problem}.`, { location, prefix });
  return prefix;
}
