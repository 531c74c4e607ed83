// The discoverer of a lake kept in the catalog: it walks the raw root and offers the catalog every file version
// that has settled and that it has not offered before. Any number of discoverers may run: the catalog queues a
// version once whoever offers it.
import type { Catalog } from '../catalog/open-catalog.js';
import { walkRawFolders, type RawFile } from '../discover/discover-raw-files.js';

export interface OfferPass {
  /** Files still being written (modified within the settle window): when the next walk is due depends on them. */
  readonly unsettled: readonly RawFile[];
  /** Versions the catalog did not know: queued now. */
  readonly queued: number;
}

export interface RawFileOffers {
  /** Walks `folders` (relative to the raw root; the whole root by default) and offers what it finds new. */
  pass(nowMs: number, folders?: readonly string[]): Promise<OfferPass>;
}

/**
 * Versions offered per statement while the walk goes on: the stagers claim the first ones while the rest of a
 * large root is still being walked, instead of waiting for the whole walk.
 */
const OFFERED_AT_ONCE = 1_000;

export function offerRawFiles(
  catalog: Catalog,
  options: { readonly rawRoot: string; readonly settleSeconds: number; readonly inFlightPrefixes: readonly string[] },
): RawFileOffers {
  // What this discoverer offered already, by path: a walk that finds nothing new sends nothing.
  const offered = new Map<string, string>();
  return {
    async pass(nowMs, folders = ['']) {
      // Walked as it goes: a pass holds the files still settling and at most one statement's files to offer.
      const unsettled: RawFile[] = [];
      let fresh: RawFile[] = [];
      let queued = 0;
      const offer = async () => {
        const sent = fresh;
        fresh = [];
        if (sent.length === 0) return;
        queued += (await catalog.enqueue(sent.map((f) => ({ sourceFile: f.relPath, size: f.size, mtimeMs: f.mtimeMs })))).queued;
        for (const f of sent) offered.set(f.relPath, versionOf(f));
      };
      for (const f of walkRawFolders(options.rawRoot, folders, { inFlightPrefixes: options.inFlightPrefixes })) {
        if (nowMs - f.mtimeMs < options.settleSeconds * 1000) unsettled.push(f);
        else if (offered.get(f.relPath) !== versionOf(f)) fresh.push(f);
        if (fresh.length >= OFFERED_AT_ONCE) await offer();
      }
      await offer();
      return { unsettled, queued };
    },
  };
}

/** A file's version as the catalog keys it (with its path): a changed size or mtime is a new one. */
const versionOf = (f: RawFile) => `${f.size}|${f.mtimeMs}`;
