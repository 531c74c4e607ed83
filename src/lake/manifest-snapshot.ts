// manifest.parquet written from another store of the manifest (the PostgreSQL catalog): each batch of rows the
// store hands over becomes a row group, written as it comes, so memory holds one batch whatever the lake's size.
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

/** Replaces `file` with the manifest the snapshot hands over; returns the runs written. */
export async function writeManifestSnapshot(file: string, snapshot: ManifestSnapshot): Promise<number> {
  const out = openAtomicFile(file);
  let writer: ReturnType<typeof openRowGroupWriter> | undefined;
  try {
    await snapshot(({ columns, rows }) => {
      const batch = new GrowingManifest(columns);
      for (const row of rows) batch.add(row);
      const bytes = batch.encode(batch.size);
      const footer = readParquetFooter(bytes);
      writer ??= openRowGroupWriter(out, footer);
      if (batch.size > 0) writer.add({ source: bytes, footer, groups: footer.rowGroups.map((_, i) => i) });
    });
    const written = writer?.finish().rows ?? 0;
    out.commit();
    return written;
  } catch (error) {
    out.abort();
    throw error;
  }
}
