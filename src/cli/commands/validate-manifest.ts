// `strata validate-manifest`: checks the manifest and the lake it describes; exit 1 when anything is wrong.
import path from 'node:path';
import { Engine } from '../../engine/duckdb.js';
import { configError } from '../../errors.js';
import { validateManifest, findStageRoot } from '../../lake/validate-manifest.js';
import { countFindings, formatValidationReport } from '../../lake/validation-report.js';
import { printJson, say, type RegisterCommand } from '../io.js';
import { loadChipParams } from '../../config/chip-params.js';
import { loadProcedureCatalog } from '../../schema/procedures-schema.js';
import { catalogOf, DEFAULT_MANIFEST, withCatalogOptions, type CatalogFlags } from '../manifest-options.js';
import { manifestFromCatalog } from '../catalog-manifest.js';
import { openLakeStorage } from '../../storage/open-lake-storage.js';
import { isUrlLocation } from '../../lake/lake-layout.js';
import { s3SettingsFromEnvironment } from '../../storage/s3/s3-settings.js';
import { existsSync } from 'node:fs';
import { jsonOption, proceduresYamlOf, proceduresYamlOption } from '../shared-options.js';

interface ValidateFlags extends CatalogFlags {
  readonly manifest: string;
  readonly manifestPath?: string;
  readonly stageRoot?: string;
  readonly chipParams?: string;
  readonly proceduresYaml?: string;
  readonly rawRoot?: string;
  readonly json?: boolean;
}

export const registerValidateManifest: RegisterCommand = (program, { io, setExitCode }) => {
  withCatalogOptions(program
    .command('validate-manifest'))
    .description(
      'Check the manifest: duplicate run ids, rule violations, empty required columns, missing or unreadable Parquet files, ' +
        'row counts, runs on disk the manifest lacks. Exit 1 when anything is wrong.',
    )
    .option('--manifest <file>', 'the manifest Parquet file', DEFAULT_MANIFEST)
    .option('--manifest-path <file>', "the Python system's name for --manifest")
    .option('--stage-root <dir>', 'the stage root, a folder or s3://bucket/prefix (default: the folder beside the manifest folder that holds proc=* folders)')
    .addOption(proceduresYamlOption('whose column ranges are checked'))
    .option('--chip-params <file>', "the lab's chip parameters YAML: report runs of a procedure a chip is not expected to have")
    .option('--raw-root <dir>', 'the raw root: also report runs whose raw file is gone from it')
    .addOption(jsonOption('the findings'))
    .action(async (flags: ValidateFlags) => {
      const catalog = catalogOf(io, flags);
      if (catalog !== undefined && flags.stageRoot === undefined) throw configError('with --catalog, pass --stage-root: the catalog names the runs, the stage root holds their data files');
      const snapshot = catalog === undefined ? undefined : await manifestFromCatalog(catalog, { schema: flags.catalogSchema });
      // The snapshot's temporary folder goes whatever fails after it is taken.
      try {
        const manifestPath = snapshot?.file ?? path.resolve(io.cwd, flags.manifestPath ?? flags.manifest);
        if (!existsSync(manifestPath)) throw configError(`no manifest at ${manifestPath}: pass --manifest`);
        const remote = flags.stageRoot !== undefined && isUrlLocation(flags.stageRoot);
        const stageRoot = remote ? flags.stageRoot! : flags.stageRoot ? path.resolve(io.cwd, flags.stageRoot) : findStageRoot(manifestPath);
        if (stageRoot === null) throw configError(`cannot tell which folder beside ${path.dirname(manifestPath)} is the stage root: pass --stage-root`);
        const storage = remote ? await openLakeStorage(stageRoot, { s3: s3SettingsFromEnvironment(io.env) }) : undefined;
        const engine = await Engine.open();
        const conn = await engine.connect();
        try {
          const chipParams = flags.chipParams === undefined ? undefined : loadChipParams(path.resolve(io.cwd, flags.chipParams));
          const proceduresYaml = proceduresYamlOf(io, flags);
          const parameterRules = loadProcedureCatalog(proceduresYaml).parameterColumns;
          const rawRoot = flags.rawRoot === undefined ? undefined : path.resolve(io.cwd, flags.rawRoot);
          const checked = await validateManifest(conn, { manifestPath, stageRoot, chipParams, parameterRules, rawRoot, storage });
          const validation = snapshot === undefined ? checked : { ...checked, manifest: `the catalog at ${snapshot.where}` };
          say(io, formatValidationReport(validation));
          if (flags.json) {
            printJson(io, { ok: validation.findings.length === 0, runs: validation.runs, counts: countFindings(validation.findings), findings: validation.findings });
          }
          setExitCode(validation.findings.length === 0 ? 0 : 1);
        } finally {
          conn.close();
          engine.close();
        }
      } finally {
        snapshot?.close();
      }
    });
};
