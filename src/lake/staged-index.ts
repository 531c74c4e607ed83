// What the manifest holds by source file, for a stage session: the index copy in source order, read beside the walk
// of the raw root a piece at a time (or, when there is no valid copy, the manifest read into memory and sorted),
// with this session's changes over it. What it holds in memory is what the session changed and looked at, not the
// lake: a few arrivals into a lake of 100,000 runs cost the same memory as into one of 1,000.
import { comparePaths } from '../fs/path-order.js';
import { schemaKey, writeSortedIndexCopy, type CopyEntry, type SortedCopy, type StagedSource } from './manifest-index.js';
import { procedureOfPath } from './partition-path.js';

/** What a stage run's recorder needs of the index; a Map of the staged sources is one too. */
export interface RecordedIndex extends Iterable<[string, StagedSource]> {
  get(source: string): StagedSource | undefined;
  set(source: string, staged: StagedSource): unknown;
  delete(source: string): unknown;
}

export class StagedIndex implements RecordedIndex {
  /** This session's changes by source: a new run, or null for a run that went (moved). */
  private readonly changes = new Map<string, StagedSource | null>();
  /** The schemas conforming gave data files, over both (it comes last, so the schema pairs ignore it). */
  private readonly conformed = new Map<string, string>();
  /** What the base holds of the sources a pass looked at (its files to stage, its gone runs): they are found here. */
  private looked = new Map<string, StagedSource | undefined>();
  private readonly schemas: Map<string, number>;

  private constructor(private readonly base: SortedCopy) {
    this.schemas = new Map(base.schemas);
  }

  /** An index over the copy kept in source order. */
  static ofCopy(copy: SortedCopy): StagedIndex {
    return new StagedIndex(copy);
  }

  /** An index over staged sources held in memory (the manifest read, or an older strata's copy). */
  static ofMap(staged: ReadonlyMap<string, StagedSource>): StagedIndex {
    const sorted = [...staged].sort((a, b) => comparePaths(a[0], b[0]));
    const schemas = new Map<string, number>();
    for (const [, s] of sorted) {
      const key = schemaKey(procedureOfPath(s.path), s.dataSchema);
      schemas.set(key, (schemas.get(key) ?? 0) + 1);
    }
    const entries = sorted.map(([source, s]) => [source, s, undefined] as const);
    return new StagedIndex({ schemas, entries: () => entries, close: () => {} });
  }

  /** Every staged source in source order, this session's changes in. */
  *[Symbol.iterator](): Generator<[string, StagedSource]> {
    for (const [source, staged] of this.merged()) yield [source, staged];
  }

  /** The base's entries with the changes merged in; an entry changed (or conformed) has no line. */
  private *merged(): Generator<CopyEntry> {
    const changed = [...this.changes.keys()].sort(comparePaths);
    let next = 0;
    const change = (source: string): CopyEntry[] => {
      const staged = this.changes.get(source);
      return staged ? [[source, this.conform(source, staged), undefined]] : [];
    };
    for (const entry of this.base.entries()) {
      const source = entry[0];
      while (next < changed.length && comparePaths(changed[next]!, source) < 0) yield* change(changed[next++]!);
      if (changed[next] === source) yield* change(changed[next++]!);
      else yield this.conformed.has(source) ? [source, this.conform(source, entry[1]), undefined] : entry;
    }
    while (next < changed.length) yield* change(changed[next++]!);
  }

  /**
   * A pass found these entries beside its walk (undefined: a file the index does not hold): what `get` answers for
   * them until the next pass looks.
   */
  look(looked: Map<string, StagedSource | undefined>): void {
    this.looked = looked;
  }

  /** What the index holds of `source`: found at once for a source the pass looked at; else by reading the base. */
  get(source: string): StagedSource | undefined {
    if (this.changes.has(source)) {
      const staged = this.changes.get(source) ?? undefined;
      return staged && this.conform(source, staged);
    }
    if (this.looked.has(source)) {
      const staged = this.looked.get(source);
      return staged && this.conform(source, staged);
    }
    for (const [s, staged] of this) if (s === source) return staged;
    return undefined;
  }

  set(source: string, staged: StagedSource): void {
    this.count(this.get(source), -1);
    this.count(staged, 1);
    this.changes.set(source, staged);
    this.conformed.delete(source);
  }

  delete(source: string): void {
    this.count(this.get(source), -1);
    this.changes.set(source, null);
    this.conformed.delete(source);
  }

  /** Notes the schema a data file was conformed to (the session's last change to the index). */
  setDataSchema(source: string, dataSchema: string): void {
    this.conformed.set(source, dataSchema);
  }

  /** The (procedure, data schema) pairs of the staged runs, conforming aside. */
  *schemaPairs(): Generator<{ readonly procedure: string; readonly dataSchema: string | null }> {
    for (const key of this.schemas.keys()) {
      const [procedure, dataSchema] = JSON.parse(key) as [string, string | null];
      yield { procedure, dataSchema };
    }
  }

  /**
   * Keeps what the index holds now as the copy (in source order) of the manifest as it is now: the base's lines
   * unchanged, and its pair counts (counted again when conforming changed schemas).
   */
  keep(copyPath: string, manifestPath: string): void {
    writeSortedIndexCopy(copyPath, manifestPath, this.merged(), this.conformed.size === 0 ? this.schemas : undefined);
  }

  /** Lets go of the copy's file. */
  close(): void {
    this.base.close();
  }

  private conform(source: string, staged: StagedSource): StagedSource {
    const dataSchema = this.conformed.get(source);
    return dataSchema === undefined ? staged : { ...staged, dataSchema };
  }

  private count(staged: StagedSource | undefined, by: 1 | -1): void {
    if (staged === undefined) return;
    const key = schemaKey(procedureOfPath(staged.path), staged.dataSchema);
    const runs = (this.schemas.get(key) ?? 0) + by;
    if (runs > 0) this.schemas.set(key, runs);
    else this.schemas.delete(key);
  }
}
