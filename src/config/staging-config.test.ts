import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { StrataError } from '../errors.js';
import { loadStagingConfig } from './staging-config.js';
import { configKeyOf, envNameOf, STAGING_FIELDS, STAGING_OPTIONS, type OptionKind, type StagingField } from './staging-options.js';
import { SHIPPED_PROCEDURES_YAML } from '../schema/shipped-procedures.js';

function lab(): string {
  const cwd = tempDir();
  mkdirSync(path.join(cwd, 'raw'));
  return cwd;
}

const configErrorMatching = (pattern: RegExp) => (error: unknown) =>
  error instanceof StrataError && error.code === 'config' && pattern.test(error.message);

describe('the staging config', () => {
  it('fills every default from the two roots, resolving paths against the working folder', () => {
    const cwd = lab();
    const config = loadStagingConfig({ flags: { rawRoot: 'raw', stageRoot: 'data/02_stage/raw_measurements' }, env: {}, cwd });
    assert.equal(config.rawRoot, path.join(cwd, 'raw'));
    assert.equal(config.manifestPath, path.join(cwd, 'data/02_stage/_manifest/manifest.parquet'));
    assert.equal(config.eventsDir, path.join(cwd, 'data/02_stage/_manifest/events'));
    assert.equal(config.rejectsDir, path.join(cwd, 'data/02_stage/_rejects'));
    assert.equal(config.proceduresYaml, SHIPPED_PROCEDURES_YAML);
    assert.equal(config.localTz, 'America/Santiago');
    assert.equal(config.settleSeconds, 10);
    assert.deepEqual(config.inFlightPrefixes, ['temp_']);
    assert.ok(config.workers >= 1 && config.workers <= 32);
    assert.ok(Object.isFrozen(config));
  });

  it('lets flags win over STRATA_* variables, which win over the config file', () => {
    const cwd = lab();
    writeFileSync(path.join(cwd, 'strata.yml'), 'raw-root: raw\nstage-root: s\nworkers: 2\nlocal-tz: UTC\nsettle: 5\nstrict: true\nin-flight-prefix: [tmp_, "~"]\n');
    const config = loadStagingConfig({
      flags: { workers: '3' },
      configFile: 'strata.yml',
      env: { STRATA_WORKERS: '4', STRATA_LOCAL_TZ: 'Europe/Paris', STRATA_FORCE: 'yes' },
      cwd,
    });
    assert.equal(config.workers, 3);
    assert.equal(config.localTz, 'Europe/Paris');
    assert.equal(config.force, true);
    assert.equal(config.strict, true);
    assert.equal(config.settleSeconds, 5);
    assert.deepEqual(config.inFlightPrefixes, ['tmp_', '~']);
    assert.equal(config.stageRoot, path.join(cwd, 's'));
  });

  it('names an unknown key and its file', () => {
    const cwd = lab();
    writeFileSync(path.join(cwd, 'strata.yml'), 'raw-root: raw\nwrokers: 2\n');
    assert.throws(
      () => loadStagingConfig({ flags: {}, configFile: 'strata.yml', env: {}, cwd }),
      configErrorMatching(/unknown key 'wrokers' in the config file .*strata\.yml/),
    );
  });

  it('refuses an unknown time zone, workers out of 1..32, a missing raw root', () => {
    const cwd = lab();
    const flags = { rawRoot: 'raw', stageRoot: 's' };
    assert.throws(() => loadStagingConfig({ flags: { ...flags, localTz: 'Mars/Olympus' }, env: {}, cwd }), configErrorMatching(/time zone 'Mars\/Olympus'/));
    assert.throws(() => loadStagingConfig({ flags: { ...flags, workers: 33 }, env: {}, cwd }), configErrorMatching(/--workers: expected a whole number from 1 to 32/));
    assert.throws(() => loadStagingConfig({ flags, env: { STRATA_WORKERS: 'many' }, cwd }), configErrorMatching(/STRATA_WORKERS/));
    assert.throws(() => loadStagingConfig({ flags: { ...flags, rawRoot: 'nope' }, env: {}, cwd }), configErrorMatching(/raw root .*nope is not a folder/));
    assert.throws(() => loadStagingConfig({ flags: { stageRoot: 's' }, env: {}, cwd }), configErrorMatching(/no raw root/));
  });

  it('reports a config file that is not YAML or not a mapping', () => {
    const cwd = lab();
    writeFileSync(path.join(cwd, 'bad.yml'), 'raw-root: [unclosed\n');
    writeFileSync(path.join(cwd, 'list.yml'), '- a\n- b\n');
    assert.throws(() => loadStagingConfig({ flags: {}, configFile: 'bad.yml', env: {}, cwd }), configErrorMatching(/bad\.yml/));
    assert.throws(() => loadStagingConfig({ flags: {}, configFile: 'list.yml', env: {}, cwd }), configErrorMatching(/mapping/));
    assert.throws(() => loadStagingConfig({ flags: {}, configFile: 'absent.yml', env: {}, cwd }), configErrorMatching(/absent\.yml/));
  });

  it('reads every option of the table alike from its flag, its STRATA_* variable and its config-file key', () => {
    const cwd = lab();
    const defaults = loadStagingConfig({ flags: { rawRoot: 'raw', stageRoot: 'out/stageRoot' }, env: {}, cwd });
    // Each sample differs from its default, so a source the loader ignored would show.
    const workers = defaults.workers === 3 ? '2' : '3';
    const samples: Readonly<Record<Exclude<OptionKind, 'path' | 'location'>, string>> = { text: 'UTC', workers, count: '2000', seconds: '4', bool: 'true', list: 'tmp_,~' };
    const text = (field: StagingField) => {
      const { kind } = STAGING_OPTIONS[field];
      return field === 'rawRoot' ? 'raw' : kind === 'path' || kind === 'location' ? `out/${field}` : samples[kind];
    };
    writeFileSync(path.join(cwd, 'all.yml'), STAGING_FIELDS.map((f) => `${configKeyOf(f)}: ${JSON.stringify(text(f))}`).join('\n'));
    const fromFlags = loadStagingConfig({ flags: Object.fromEntries(STAGING_FIELDS.map((f) => [f, text(f)])), env: {}, cwd });
    const fromEnv = loadStagingConfig({ flags: {}, env: Object.fromEntries(STAGING_FIELDS.map((f) => [envNameOf(f), text(f)])), cwd });
    const fromFile = loadStagingConfig({ flags: {}, configFile: 'all.yml', env: {}, cwd });
    assert.deepEqual(fromEnv, fromFlags);
    assert.deepEqual(fromFile, fromFlags);
    for (const field of STAGING_FIELDS.filter((f) => f !== 'rawRoot' && f !== 'stageRoot')) assert.notDeepEqual(fromFlags[field], defaults[field], field);
    assert.equal(fromFlags.rejectsDir, path.join(cwd, 'out', 'rejectsDir'));
    assert.deepEqual(fromFlags.inFlightPrefixes, ['tmp_', '~']);
  });
});
