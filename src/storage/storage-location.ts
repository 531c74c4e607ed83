// A lake location as a user writes it: a folder path (or a file:// URL), or `s3://bucket/prefix`.
import { fileURLToPath } from 'node:url';
import { StrataError } from '../errors.js';

export type StorageLocation =
  | { readonly kind: 'folder'; readonly root: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** The key prefix the lake's paths go below: '' or ending in '/' (`lakes/lab/`). */
      readonly prefix: string;
    };

/** S3's own rule for bucket names (lower case, digits, dots and hyphens, 3 to 63 characters). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

export function parseStorageLocation(location: string): StorageLocation {
  const scheme = URL_SCHEME.exec(location)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (location.trim() === '') throw new StrataError('usage', 'a lake location cannot be empty: give a folder or s3://bucket/prefix.');
    return { kind: 'folder', root: location };
  }
  if (scheme === 'file') return { kind: 'folder', root: fileURLToPath(location) };
  if (scheme !== 's3') {
    throw new StrataError('usage', `${location}: a lake location is a folder or s3://bucket/prefix; ${scheme}:// is not supported.`, { location });
  }
  const rest = location.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET_NAME.test(bucket)) {
    throw new StrataError('usage', `${location}: ${JSON.stringify(bucket)} is not a bucket name (3 to 63 lower-case letters, digits, dots or hyphens).`, { location });
  }
  const segments = path.split('/').filter((s, i, all) => !(s === '' && i === all.length - 1));
  if (path !== '' && segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new StrataError('usage', `${location}: the prefix after the bucket has an empty, "." or ".." segment.`, { location });
  }
  return { kind: 's3', bucket, prefix: path === '' ? '' : `${segments.join('/')}/` };
}
