// Where a lake's files live, as one small interface: a folder (local or a shared mount) or S3-compatible storage.
// Paths are the lake's own layout (`proc=It/date=2024-01-01/run_id=.../part-....parquet`), relative to the location,
// so every reader that reads the lake as a folder (Polars, PyArrow, DuckDB) reads it the same way on S3.

export interface ObjectInfo {
  /** Bytes. */
  readonly size: number;
  readonly modified: Date;
  /**
   * An opaque tag that changes whenever the object is replaced (S3's ETag without its quotes; a folder's is made
   * of the file's size, mtime and inode). Not a checksum of the content.
   */
  readonly etag: string;
}

/** An object as `list` yields it. `path` and `modified` are what the catalog's sweeper asks about. */
export interface StoredObject extends ObjectInfo {
  /** Relative to the location, forward slashes: as a run's `path` in the manifest names it. */
  readonly path: string;
}

export type PutIfAbsentOutcome =
  /** This call made the object. */
  | { readonly kind: 'written' }
  /** An object was already there (or another writer got there first): it is left exactly as it was. */
  | { readonly kind: 'exists' };

export interface LakeStorage {
  /** The location as it was given: a folder path, or `s3://bucket/prefix`. Every error names it. */
  readonly location: string;

  /**
   * Writes the object whole, replacing any object at `path`: a reader sees the old object or the new one, never a
   * part. On a folder: a temp file beside it, flushed, renamed, the folder flushed. On S3: one PUT, with its
   * Content-MD5, so the server refuses a body that arrived damaged.
   */
  put(path: string, body: Uint8Array): Promise<void>;

  /**
   * Writes the object whole only when no object is at `path`; of several writers, on any number of machines, one
   * is `written` and every other is `exists`. On a folder: the temp file is hard-linked to its name (link() fails
   * when the name exists, atomically, also on NFS). On S3: a PUT with `If-None-Match: *`, which the server
   * answers 412 when the key exists.
   */
  putIfAbsent(path: string, body: Uint8Array): Promise<PutIfAbsentOutcome>;

  /** The whole object, or null when there is none. */
  get(path: string): Promise<Uint8Array | null>;

  /** Size, last modification and tag, or null when there is no object. */
  head(path: string): Promise<ObjectInfo | null>;

  /**
   * Every object whose path starts with `prefix` (a string prefix, not only a folder: `proc=It/date=2024-` works),
   * streamed page by page. S3 yields them in key order; a folder in no promised order. A folder's unfinished
   * writes (temp files) are not objects and are never listed.
   */
  list(prefix?: string): AsyncIterable<StoredObject>;

  /** Removes the object; a missing one is not an error. */
  delete(path: string): Promise<void>;

  /**
   * Removes every object named (S3: up to 1,000 per request). The paths may be streamed, as the sweeper yields
   * its orphans. Missing ones are not an error. Returns how many paths were asked for.
   */
  deleteMany(paths: Iterable<string> | AsyncIterable<string>): Promise<number>;
}
