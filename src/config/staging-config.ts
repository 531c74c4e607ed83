// The staging run options, read once at the edge from a YAML file, STRATA_* variables and flags (flags win).
import { existsSync, statSync } from 'node:fs';
import { isInside } from '../fs/inside-root.js';
import { isUrlLocation } from '../lake/lake-layout.js';
import path from 'node:path';
import { configError, usageError } from '../errors.js';
import { readYamlFile } from '../schema/yaml-file.js';
import { checkTimeZone } from '../time/time-zone.js';
import { configKeyOf, envNameOf, STAGING_FIELDS, STAGING_OPTIONS, WORKERS_RANGE, type OptionKind, type StagingConfig, type StagingField } from './staging-options.js';

export type { StagingConfig } from './staging-options.js';

type RawValue = string | number | boolean | readonly string[];

export interface StagingConfigSources {
  /** Flag values by field name (`rawRoot`, `settleSeconds`...); undefined means not given. Strings are parsed. */
  readonly flags: Partial<Record<StagingField, RawValue | undefined>>;
  /** A YAML file whose keys are the flag names without dashes in front: `raw-root: data/01_raw`. */
  readonly configFile?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** A caller's own defaults (the `pipeline` layout), used only when neither flag, variable nor file gives a value. */
  readonly defaults?: Partial<Record<StagingField, RawValue>>;
}

/**
 * The staging options, checked and with every default filled in: flags win over STRATA_* variables, which win
 * over the config file. Relative paths are resolved against `cwd`. Any problem is a config error (exit 2) that
 * names the option and where it came from.
 */
export function loadStagingConfig(sources: StagingConfigSources): StagingConfig {
  const file = sources.configFile === undefined ? {} : readConfigFile(path.resolve(sources.cwd, sources.configFile));
  const given: Partial<Record<StagingField, unknown>> = {};
  for (const field of STAGING_FIELDS) {
    const key = configKeyOf(field);
    const flag = sources.flags[field];
    const env = sources.env[envNameOf(field)];
    const [raw, origin] =
      flag !== undefined
        ? [flag, `--${key}`]
        : env !== undefined && env !== ''
          ? [env, envNameOf(field)]
          : key in file
            ? [file[key], `'${key}' in ${sources.configFile}`]
            : [sources.defaults?.[field], 'the default layout'];
    if (raw !== undefined) given[field] = readValue(raw, STAGING_OPTIONS[field].kind, origin, sources.cwd);
  }
  return withDefaults(given as Partial<StagingConfig>);
}

function readConfigFile(file: string): Record<string, unknown> {
  const parsed = readYamlFile(file, 'the config file');
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw configError(`the config file ${file} must be a mapping of option names to values`, { file });
  }
  const known = STAGING_FIELDS.map(configKeyOf);
  for (const key of Object.keys(parsed)) {
    if (!known.includes(key)) {
      throw configError(`unknown key '${key}' in the config file ${file}; known keys: ${known.join(', ')}`, { file, key });
    }
  }
  return parsed as Record<string, unknown>;
}

/** A number as YAML gives it or as text (a flag, a variable); NaN for anything else, which the caller rejects. */
function numberOf(raw: unknown): number {
  return typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
}

function readValue(raw: unknown, kind: OptionKind, origin: string, cwd: string): unknown {
  const bad = (expected: string) => configError(`${origin}: expected ${expected}, got '${String(raw)}'`);
  switch (kind) {
    case 'path':
    case 'location':
    case 'text':
      if (typeof raw !== 'string' || raw.trim() === '') throw bad(kind === 'text' ? 'text' : 'a path');
      if (kind === 'location' && isUrlLocation(raw.trim())) return raw.trim();
      return kind === 'text' ? raw.trim() : path.resolve(cwd, raw);
    case 'workers': {
      const n = numberOf(raw);
      if (!Number.isInteger(n) || n < WORKERS_RANGE.min || n > WORKERS_RANGE.max) throw bad(`a whole number from ${WORKERS_RANGE.min} to ${WORKERS_RANGE.max}`);
      return n;
    }
    case 'count': {
      const n = numberOf(raw);
      if (!Number.isSafeInteger(n) || n < 1) throw bad('a whole number, 1 or more');
      return n;
    }
    case 'seconds': {
      const n = numberOf(raw);
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

/** A root no flag, variable or file gave is a config error that says the three ways to give it. */
function required(given: Partial<StagingConfig>, field: 'rawRoot' | 'stageRoot', what: string): string {
  const value = given[field];
  const key = configKeyOf(field);
  if (value === undefined) throw configError(`no ${what} given: pass --${key} (or set ${key} in the config file, or ${envNameOf(field)})`);
  return value;
}

function withDefaults(given: Partial<StagingConfig>): StagingConfig {
  const rawRoot = required(given, 'rawRoot', 'raw root');
  const stageRoot = required(given, 'stageRoot', 'stage root');
  if (!existsSync(rawRoot) || !statSync(rawRoot).isDirectory()) throw configError(`the raw root ${rawRoot} is not a folder`);
  const filled: Record<string, unknown> = {};
  for (const field of STAGING_FIELDS) filled[field] = given[field] ?? STAGING_OPTIONS[field].fallback?.(stageRoot);
  const config = filled as unknown as StagingConfig;
  checkTimeZone(config.localTz);
  if (isUrlLocation(stageRoot)) {
    // A lake in object storage keeps its state in the catalog: it has no lock, journal or index of its own.
    if (config.catalog === undefined) throw configError(`the stage root ${stageRoot} is in object storage, which needs --catalog postgres://... (the catalog keeps the lake's state)`);
    return Object.freeze({ ...config, inFlightPrefixes: Object.freeze([...config.inFlightPrefixes]) });
  }
  checkApart(rawRoot, [
    ['the stage root', stageRoot],
    ['the rejects folder', config.rejectsDir],
    ['the events folder', config.eventsDir],
    ['the manifest', config.manifestPath],
  ]);
  return Object.freeze({ ...config, inFlightPrefixes: Object.freeze([...config.inFlightPrefixes]) });
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
