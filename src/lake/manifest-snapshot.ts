// manifest.parquet written from another store of the manifest (the PostgreSQL catalog): the rows the store hands
// over are gathered into row groups, each written once full, so memory holds one group whatever the lake's size.
import { openAtomicFile } from '../fs/atomic-file.js';
import { openRowGroupWriter, readParquetFooter } from '../parquet/append-row-groups.js';
import type { ManifestColumn } from './manifest-columns.js';
import { GrowingManifest } from './manifest-file.js';
import type { ManifestRow } from './manifest-row.js';

export interface ManifestBatchOfRows {
  readonly columns: readonly ManifestColumn[];
  readonly rows: readonly ManifestRow[];
}

/** A store's snapshot: it calls `write` with every batch of rows, in order, and resolves once done. */
export type ManifestSnapshot = (write: (batch: ManifestBatchOfRows) => void) => Promise<unknown>;

/**
 * Runs in a row group of the snapshot, however many the store hands over at a time: the store's batches can be small
 * (a few row objects in memory) while the file keeps few, large row groups.
 */
const ROW_GROUP_RUNS = 2_000;

/** Replaces `file` with the manifest the snapshot hands over; returns the runs written. */
export async function writeManifestSnapshot(file: string, snapshot: ManifestSnapshot): Promise<number> {
  const out = openAtomicFile(file);
  let writer: ReturnType<typeof openRowGroupWriter> | undefined;
  let group: GrowingManifest | undefined;
  const writeGroup = (runs: GrowingManifest) => {
    const bytes = runs.encode(runs.size);
    const footer = readParquetFooter(bytes);
    writer ??= openRowGroupWriter(out, footer);
    if (runs.size > 0) writer.add({ source: bytes, footer, groups: footer.rowGroups.map((_, i) => i) });
  };
  try {
    await snapshot(({ columns, rows }) => {
      group ??= new GrowingManifest(columns);
      for (const row of rows) group.add(row);
      if (group.size >= ROW_GROUP_RUNS) {
        writeGroup(group);
        group = undefined;
      }
    });
    if (group !== undefined) writeGroup(group);
    const written = writer?.finish().rows ?? 0;
    out.commit();
    return written;
  } catch (error) {
    out.abort();
    throw error;
  }
}
