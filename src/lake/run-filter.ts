// Which runs of a manifest a reader wants: the one filter the history commands, the page and the catalog take.

export interface RunFilter {
  readonly chip?: number | undefined;
  readonly group?: string | undefined;
  readonly proc?: string | undefined;
  /** Inclusive local dates, YYYY-MM-DD. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly light?: boolean | undefined;
}
