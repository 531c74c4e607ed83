// Opens a lake location, a folder or `s3://bucket/prefix`, as LakeStorage. The S3 module (and its client) is loaded
// only when an S3 location is opened.
import { StrataError } from '../errors.js';
import { FolderStorage } from './folder-storage.js';
import type { LakeStorage } from './lake-storage.js';
import type { S3Settings } from './s3/s3-settings.js';
import { parseStorageLocation } from './storage-location.js';

export interface OpenStorageOptions {
  /**
   * How to reach S3, for `s3://` locations: the CLI makes it with `s3SettingsFromEnvironment(process.env)` (the
   * standard AWS variables). A folder needs nothing.
   */
  readonly s3?: S3Settings;
}

export async function openLakeStorage(location: string, options: OpenStorageOptions = {}): Promise<LakeStorage> {
  const parsed = parseStorageLocation(location);
  if (parsed.kind === 'folder') return new FolderStorage(location, parsed.root);
  if (options.s3 === undefined) throw new StrataError('config', `${location}: no S3 settings were given to reach it.`, { location });
  const { S3Storage } = await import('./s3/s3-storage.js');
  return S3Storage.open(location, parsed, options.s3);
}
