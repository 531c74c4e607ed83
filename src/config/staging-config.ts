// The staging run options, read once at the edge from a YAML file, STRATA_* variables and flags (flags win).
import { existsSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { configError, usageError } from '../errors.js';
import { readYamlFile } from './yaml-file.js';
import { checkTimeZone, DEFAULT_LOCAL_TZ } from '../time/time-zone.js';
import { DEFAULT_IN_FLIGHT_PREFIXES } from '../discover/in-flight.js';
import { extractionVersion, projectRoot } from '../version.js';

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
}

type Kind = 'path' | 'string' | 'workers' | 'count' | 'seconds' | 'bool' | 'list';

/** Each option: its field, its config-file key (the flag's name), its environment variable, and how to read it. */
const OPTIONS = {
  rawRoot: { key: 'raw-root', kind: 'path' },
  stageRoot: { key: 'stage-root', kind: 'path' },
  proceduresYaml: { key: 'procedures-yaml', kind: 'path' },
  chipParams: { key: 'chip-params', kind: 'path' },
  localTz: { key: 'local-tz', kind: 'string' },
  workers: { key: 'workers', kind: 'workers' },
  force: { key: 'force', kind: 'bool' },
  onlyYamlData: { key: 'only-yaml-data', kind: 'bool' },
  strict: { key: 'strict', kind: 'bool' },
  settleSeconds: { key: 'settle', kind: 'seconds' },
  inFlightPrefixes: { key: 'in-flight-prefix', kind: 'list' }, // as the flag: --in-flight-prefix P...
  rejectsDir: { key: 'rejects-dir', kind: 'path' },
  eventsDir: { key: 'events-dir', kind: 'path' },
  manifestPath: { key: 'manifest', kind: 'path' },
  extractionVersion: { key: 'extraction-version', kind: 'string' },
} as const satisfies Record<keyof StagingConfig, { key: string; kind: Kind }>;

type Field = keyof StagingConfig;
type RawValue = string | number | boolean | readonly string[];

export interface StagingConfigSources {
  /** Flag values by field name (`rawRoot`, `settleSeconds`...); undefined means not given. Strings are parsed. */
  readonly flags: Partial<Record<Field, RawValue | undefined>>;
  /** A YAML file whose keys are the flag names without dashes in front: `raw-root: data/01_raw`. */
  readonly configFile?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** A caller's own defaults (the `pipeline` layout), used only when neither flag, variable nor file gives a value. */
  readonly defaults?: Partial<Record<Field, RawValue>>;
}

const envName = (key: string) => `STRATA_${key.replaceAll('-', '_').toUpperCase()}`;

/**
 * The staging options, checked and with every default filled in: flags win over STRATA_* variables, which win
 * over the config file. Relative paths are resolved against `cwd`. Any problem is a config error (exit 2) that
 * names the option and where it came from.
 */
export function loadStagingConfig(sources: StagingConfigSources): StagingConfig {
  const file = sources.configFile === undefined ? {} : readConfigFile(path.resolve(sources.cwd, sources.configFile));
  const values: Partial<Record<Field, unknown>> = {};
  for (const field of Object.keys(OPTIONS) as Field[]) {
    const { key, kind } = OPTIONS[field];
    const flag = sources.flags[field];
    const env = sources.env[envName(key)];
    const [raw, origin] =
      flag !== undefined
        ? [flag, `--${key}`]
        : env !== undefined && env !== ''
          ? [env, envName(key)]
          : key in file
            ? [file[key], `'${key}' in ${sources.configFile}`]
            : [sources.defaults?.[field], 'the default layout'];
    if (raw !== undefined) values[field] = readValue(raw, kind, origin, sources.cwd);
  }
  return withDefaults(values);
}

function readConfigFile(file: string): Record<string, unknown> {
  const parsed = readYamlFile(file, 'the config file');
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw configError(`the config file ${file} must be a mapping of option names to values`, { file });
  }
  const known = new Set<string>(Object.values(OPTIONS).map((o) => o.key));
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      throw configError(`unknown key '${key}' in the config file ${file}; known keys: ${[...known].join(', ')}`, { file, key });
    }
  }
  return parsed as Record<string, unknown>;
}

function readValue(raw: unknown, kind: Kind, origin: string, cwd: string): unknown {
  const bad = (expected: string) => configError(`${origin}: expected ${expected}, got '${String(raw)}'`);
  switch (kind) {
    case 'path':
    case 'string':
      if (typeof raw !== 'string' || raw.trim() === '') throw bad(kind === 'path' ? 'a path' : 'text');
      return kind === 'path' ? path.resolve(cwd, raw) : raw.trim();
    case 'workers':
    case 'count': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      const max = kind === 'workers' ? 32 : 64;
      if (!Number.isInteger(n) || n < 1 || n > max) throw bad(`a whole number from 1 to ${max}`);
      return n;
    }
    case 'seconds': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n) || n < 0) throw bad('a number of seconds, 0 or more');
      return n;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(1|true|yes|on)$/i.test(raw.trim())) return true;
      if (typeof raw === 'string' && /^(0|false|no|off)$/i.test(raw.trim())) return false;
      throw bad('true or false');
    case 'list':
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) return raw;
      if (typeof raw === 'string') return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
      throw bad('a list of text (comma-separated in a variable or flag)');
  }
}

function withDefaults(values: Partial<Record<Field, unknown>>): StagingConfig {
  const v = values as Partial<StagingConfig>;
  if (v.rawRoot === undefined) throw configError('no raw root given: pass --raw-root (or set raw-root in the config file, or STRATA_RAW_ROOT)');
  if (v.stageRoot === undefined) throw configError('no stage root given: pass --stage-root (or set stage-root in the config file, or STRATA_STAGE_ROOT)');
  if (!existsSync(v.rawRoot) || !statSync(v.rawRoot).isDirectory()) throw configError(`the raw root ${v.rawRoot} is not a folder`);
  const localTz = checkTimeZone(v.localTz ?? DEFAULT_LOCAL_TZ);
  const outside = path.dirname(v.stageRoot); // rejects and manifest sit beside the stage root (CONTRACT.md)
  const rejectsDir = v.rejectsDir ?? path.join(outside, '_rejects');
  const eventsDir = v.eventsDir ?? path.join(outside, '_manifest', 'events');
  const manifestPath = v.manifestPath ?? path.join(outside, '_manifest', 'manifest.parquet');
  checkApart(v.rawRoot, [
    ['the stage root', v.stageRoot],
    ['the rejects folder', rejectsDir],
    ['the events folder', eventsDir],
    ['the manifest', manifestPath],
  ]);
  const cores = availableParallelism();
  const workers = v.workers ?? Math.min(32, Math.max(1, cores));
  return Object.freeze({
    rawRoot: v.rawRoot,
    stageRoot: v.stageRoot,
    proceduresYaml: v.proceduresYaml ?? path.join(projectRoot, 'config', 'procedures.yml'),
    chipParams: v.chipParams,
    localTz,
    workers,
    force: v.force ?? false,
    onlyYamlData: v.onlyYamlData ?? false,
    strict: v.strict ?? false,
    settleSeconds: v.settleSeconds ?? 10,
    inFlightPrefixes: Object.freeze([...(v.inFlightPrefixes ?? DEFAULT_IN_FLIGHT_PREFIXES)]),
    rejectsDir,
    eventsDir,
    manifestPath,
    extractionVersion: v.extractionVersion ?? extractionVersion(),
  });
}

/** Whether `inner` is `outer` or lies inside it (symbolic links resolved where the paths exist). */
export function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(realPath(outer), realPath(inner));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function realPath(p: string): string {
  const missing: string[] = [];
  let at = path.resolve(p);
  while (!existsSync(at) && path.dirname(at) !== at) {
    missing.unshift(path.basename(at));
    at = path.dirname(at);
  }
  return path.join(realpathSync(at), ...missing);
}

/**
 * Outputs inside the raw root would be read back as raw files on the next run, and a raw root inside an output
 * would be swept or overwritten: either is a usage error (exit 2), said before anything is written.
 */
export function checkApart(rawRoot: string, outputs: readonly (readonly [string, string])[]): void {
  for (const [what, output] of outputs) {
    if (isInside(output, rawRoot) || isInside(rawRoot, output)) {
      throw usageError(`${what} ${output} overlaps the raw root ${rawRoot}: put the outputs outside the raw files' folder (and the raw files outside the outputs)`);
    }
  }
}
