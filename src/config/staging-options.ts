// The staging options, each written once: the CLI declares its flags from this table and loadStagingConfig reads
// flags, STRATA_* variables and the config file by it.
import { availableParallelism } from 'node:os';
import { DEFAULT_LOCAL_TZ, LOCAL_TZ_HELP } from '../time/time-zone.js';
import { SHIPPED_PROCEDURES_YAML } from '../schema/shipped-procedures.js';
import { DEFAULT_IN_FLIGHT_PREFIXES } from '../discover/in-flight.js';
import { extractionVersion } from '../version.js';
import { lakeLayout } from '../lake/lake-layout.js';

export interface StagingConfig {
  readonly rawRoot: string;
  readonly stageRoot: string;
  readonly proceduresYaml: string;
  /** The lab's chip parameters file (chip number -> group, notes, expected procedures); none by default. */
  readonly chipParams: string | undefined;
  readonly localTz: string;
  readonly workers: number;
  readonly force: boolean;
  readonly onlyYamlData: boolean;
  readonly strict: boolean;
  readonly settleSeconds: number;
  readonly inFlightPrefixes: readonly string[];
  readonly rejectsDir: string;
  readonly eventsDir: string;
  readonly manifestPath: string;
  readonly extractionVersion: string;
  /** A PostgreSQL URL: the lake's state lives there, shared by any number of stagers (none: a local lake). */
  readonly catalog: string | undefined;
  /** The most data columns a raw file may have, and a procedure's schema may reach; past it, the file is a reject. */
  readonly maxColumns: number;
}

/** How many workers a stage run may have: a flag, a variable or the config file outside this range is an error. */
export const WORKERS_RANGE = { min: 1, max: 32 } as const;

/**
 * How a value is read from text (a flag, a variable) or from YAML: `path` resolves against the working folder,
 * `location` too unless it is a URL (s3://...),
 * `workers` is a whole number from 1 to 32, `count` a whole number from 1, `seconds` a number from 0, `list`
 * comma-separated text or a YAML list.
 */
export type OptionKind = 'path' | 'location' | 'text' | 'workers' | 'count' | 'seconds' | 'bool' | 'list';

export interface StagingOption<T> {
  /** The flag as commander declares it; its name (`raw-root`) is the config-file key and, as STRATA_RAW_ROOT, the variable. */
  readonly flag: string;
  /** The flag's line in `--help`. */
  readonly help: string;
  readonly kind: OptionKind;
  /** The value when no flag, variable or file gives one, from the stage root; without it the value stays undefined. */
  readonly fallback?: (stageRoot: string) => T;
  /** The Python system's name of the same flag, accepted by the CLI only. */
  readonly alias?: { readonly flag: string; readonly help: string };
}

export type StagingField = keyof StagingConfig;

/** Far more columns than an instrument writes, far fewer than make a rewrite of a procedure's files hang. */
export const DEFAULT_MAX_COLUMNS = 1000;


export const STAGING_OPTIONS: { readonly [F in StagingField]: StagingOption<StagingConfig[F]> } = {
  rawRoot: { flag: '--raw-root <dir>', kind: 'path', help: 'folder of raw instrument CSVs, read recursively' },
  stageRoot: {
    flag: '--stage-root <dir>',
    kind: 'location',
    help: 'the lake: proc=/date=/run_id= folders of Parquet files are written here (a folder, or s3://bucket/prefix with --catalog)',
  },
  proceduresYaml: {
    flag: '--procedures-yaml <file>',
    kind: 'path',
    help: 'procedures schema (default: the one strata ships, config/procedures.yml)',
    fallback: () => SHIPPED_PROCEDURES_YAML,
  },
  chipParams: { flag: '--chip-params <file>', kind: 'path', help: "the lab's chip parameters YAML: chip number -> chip_group, notes, expected_procs" },
  localTz: {
    flag: '--local-tz <zone>',
    kind: 'text',
    help: `${LOCAL_TZ_HELP}; naive ISO times are read in it`,
    fallback: () => DEFAULT_LOCAL_TZ,
  },
  workers: {
    flag: '--workers <n>',
    kind: 'workers',
    help: 'files staged at once (default: the number of cores)',
    fallback: () => Math.min(32, Math.max(1, availableParallelism())),
  },
  force: { flag: '--force', kind: 'bool', help: 'restage every file, even unchanged ones', fallback: () => false },
  onlyYamlData: { flag: '--only-yaml-data', kind: 'bool', help: 'drop data columns the procedures YAML does not declare', fallback: () => false },
  strict: {
    flag: '--strict',
    kind: 'bool',
    help: 'reject files missing a required column or of an unknown procedure; exit 1 on any reject',
    fallback: () => false,
  },
  settleSeconds: {
    flag: '--settle <seconds>',
    kind: 'seconds',
    help: 'leave files modified less than this many seconds ago for the next run (default 10)',
    fallback: () => 10,
  },
  inFlightPrefixes: {
    flag: '--in-flight-prefix <prefix...>',
    kind: 'list',
    help: `file-name prefixes of files still being written (default: ${DEFAULT_IN_FLIGHT_PREFIXES.join(' ')})`,
    fallback: () => DEFAULT_IN_FLIGHT_PREFIXES,
  },
  rejectsDir: {
    flag: '--rejects-dir <dir>',
    kind: 'path',
    help: 'reject records (default: <stage-root>/../_rejects)',
    fallback: (stageRoot) => lakeLayout({ stageRoot }).rejects,
  },
  eventsDir: {
    flag: '--events-dir <dir>',
    kind: 'path',
    help: 'event history (default: <stage-root>/../_manifest/events)',
    fallback: (stageRoot) => lakeLayout({ stageRoot }).events,
  },
  manifestPath: {
    flag: '--manifest <file>',
    kind: 'path',
    help: 'the manifest (default: <stage-root>/../_manifest/manifest.parquet)',
    fallback: (stageRoot) => lakeLayout({ stageRoot }).manifest,
    alias: { flag: '--manifest-path <file>', help: "the Python system's name for --manifest" },
  },
  catalog: {
    flag: '--catalog <url>',
    kind: 'text',
    help: "keep the lake's state in PostgreSQL (postgres://...), so that stagers on many machines share one lake",
  },
  extractionVersion: {
    flag: '--extraction-version <text>',
    kind: 'text',
    help: "recorded in each run's manifest row (default: strata's version)",
    fallback: () => extractionVersion(),
  },
  maxColumns: {
    flag: '--max-columns <n>',
    kind: 'count',
    help:
      `reject a raw file with more data columns than this, or one that would give its procedure more (default ${DEFAULT_MAX_COLUMNS}): ` +
      "a new column rewrites every older file of the procedure",
    fallback: () => DEFAULT_MAX_COLUMNS,
  },
};

export const STAGING_FIELDS = Object.keys(STAGING_OPTIONS) as readonly StagingField[];

/** The option's config-file key: its flag's name, `raw-root`. */
export const configKeyOf = (field: StagingField): string => STAGING_OPTIONS[field].flag.replace(/^--/, '').split(' ')[0] ?? field;

/** The option's environment variable: STRATA_RAW_ROOT. */
export const envNameOf = (field: StagingField): string => `STRATA_${configKeyOf(field).replaceAll('-', '_').toUpperCase()}`;
