// The catalog's names, made once from its schema: every table, the NOTIFY channel and the advisory lock keys.
import { quoteIdentifier } from '../sql/quote.js';

export const DEFAULT_CATALOG_SCHEMA = 'strata';

/** The first half of every advisory lock key the catalog takes, so its locks never collide with other tools'. */
export const CATALOG_LOCK_NAMESPACE = 0x5354_5243; // 'STRC'

export interface CatalogLayout {
  /** The schema's name as given (`strata`). */
  readonly schema: string;
  /** The schema, quoted for SQL. */
  readonly schemaSql: string;
  /** Applied migrations. */
  readonly migrations: string;
  /** Source file versions: the work queue. */
  readonly sourceFiles: string;
  /** The manifest: one row per run. */
  readonly runs: string;
  /** The latest reject of each source file. */
  readonly rejects: string;
  /** Each procedure's schema, versioned. */
  readonly procedureSchemas: string;
  /** When the data files were last swept (one row). */
  readonly sweeps: string;
  /** The channel `NOTIFY` wakes stagers on (a name, not quoted: LISTEN quotes it). */
  readonly workChannel: string;
  /** Advisory lock keys (second half, with CATALOG_LOCK_NAMESPACE first), as text PostgreSQL hashes. */
  readonly lockKeys: {
    readonly migrate: string;
    readonly runColumns: string;
    readonly procedure: (proc: string) => string;
  };
}

/** The catalog in `schema`: lower-case letters, digits and `_` (quoteIdentifier refuses anything else). */
export function catalogLayout(schema: string = DEFAULT_CATALOG_SCHEMA): CatalogLayout {
  const schemaSql = quoteIdentifier(schema);
  const table = (name: string) => `${schemaSql}.${quoteIdentifier(name)}`;
  return {
    schema,
    schemaSql,
    migrations: table('catalog_migrations'),
    sourceFiles: table('source_files'),
    runs: table('runs'),
    rejects: table('rejects'),
    procedureSchemas: table('procedure_schemas'),
    sweeps: table('sweeps'),
    workChannel: `${schema}_work`.slice(0, 63),
    lockKeys: {
      migrate: `${schema}:migrate`,
      runColumns: `${schema}:run-columns`,
      procedure: (proc) => `${schema}:procedure:${proc}`,
    },
  };
}
