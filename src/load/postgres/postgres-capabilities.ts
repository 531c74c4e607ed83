// What PostgreSQL's stage tables look like: one partition per period, a BRIN index on `_data_period`, names of 63
// bytes at most. The partitions already find a period (a query names its partition, a replace swaps it), and every row
// of a partition holds the same period: a B-tree there would be a sorted list of one value, built at every ATTACH,
// where a BRIN index is a few pages built in passing (docs/benchmarks.md, `load`).
import { StrataError } from '../../errors.js';
import { quoteIdentifier } from '../../sql/quote.js';
import { stageTableName, type StageCapabilities, type StageTable } from '../stage-database.js';

/** PostgreSQL cuts longer identifiers silently (NAMEDATALEN - 1); strata refuses them instead. */
export const MAX_IDENTIFIER_LENGTH = 63;

export const POSTGRES_CAPABILITIES: StageCapabilities = {
  label: 'PostgreSQL',
  stageTableClause: 'PARTITION BY LIST ("_data_period")',
  periodIndexSql: (table: StageTable) =>
    `CREATE INDEX IF NOT EXISTS ${quoteIdentifier(`${table.name}_data_period_idx`.slice(0, MAX_IDENTIFIER_LENGTH))} ON ${stageTableName(table)} USING brin ("_data_period");`,
};

/** `<table>__p2024_01`: a period's partition (or, with a suffix, the table its rows are copied into first). */
export function partitionName(table: StageTable, period: string, suffix?: string): string {
  const name = `${table.name}__p${period.replaceAll('-', '_')}${suffix === undefined ? '' : `__${suffix}`}`;
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    throw new StrataError('validation', `the table name ${table.name} is too long to name its period partitions (at most 40 characters)`);
  }
  return name;
}
