// `strata serve`: a local, read-only web page over the manifest and the lake (overview, chips, histories, curves).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { StrataError } from '../../errors.js';
import { deriveLayout } from '../../derive/derive-layout.js';
import { loadProcedureCatalog } from '../../schema/procedures-schema.js';
import { LakeView } from '../../serve/lake-view.js';
import { MetricsView } from '../../serve/metrics-view.js';
import { startServer } from '../../serve/http-server.js';
import { checkTimeZone } from '../../time/time-zone.js';
import { integerOption } from '../parse-option.js';
import { printJson, say, type RegisterCommand } from '../io.js';
import { manifestFromCatalog } from '../catalog-manifest.js';
import { catalogOf, withCatalogOptions, type CatalogFlags } from '../manifest-options.js';
import { dataRootOption, jsonOption, localTzOption, proceduresYamlOf, proceduresYamlOption } from '../shared-options.js';

interface ServeFlags extends CatalogFlags {
  readonly dataRoot?: string;
  readonly manifest?: string;
  readonly stageRoot?: string;
  readonly metrics?: string;
  readonly proceduresYaml?: string;
  readonly host: string;
  readonly port: number;
  readonly localTz: string;
  readonly open?: boolean;
  readonly json?: boolean;
}

interface LakePaths {
  readonly manifestPath: string;
  readonly stageRoot: string;
  readonly rejectsDir: string;
  readonly metricsPath: string;
}

/** The manifest, stage root, rejects folder and derived metrics from --data-root D, or from --manifest and --stage-root. */
function lakePaths(cwd: string, flags: ServeFlags): LakePaths {
  if (flags.dataRoot !== undefined && (flags.manifest !== undefined || flags.stageRoot !== undefined)) {
    throw new StrataError('usage', 'give either --data-root, or --manifest with --stage-root, not both');
  }
  if ((flags.manifest === undefined) !== (flags.stageRoot === undefined)) {
    throw new StrataError('usage', '--manifest and --stage-root go together: give both (or --data-root instead)');
  }
  const metrics = (dataRoot: string) => (flags.metrics !== undefined ? path.resolve(cwd, flags.metrics) : deriveLayout(path.join(dataRoot, '03_derived')).metricsFile);
  if (flags.manifest !== undefined && flags.stageRoot !== undefined) {
    const stageRoot = path.resolve(cwd, flags.stageRoot);
    return {
      manifestPath: path.resolve(cwd, flags.manifest),
      stageRoot,
      rejectsDir: path.join(path.dirname(stageRoot), '_rejects'),
      metricsPath: metrics(path.dirname(path.dirname(stageRoot))),
    };
  }
  const dataRoot = path.resolve(cwd, flags.dataRoot ?? 'data');
  const stage = path.join(dataRoot, '02_stage');
  return {
    manifestPath: path.join(stage, '_manifest', 'manifest.parquet'),
    stageRoot: path.join(stage, 'raw_measurements'),
    rejectsDir: path.join(stage, '_rejects'),
    metricsPath: metrics(dataRoot),
  };
}

/** With --catalog, the data files are under --stage-root (or --data-root's); the runs come from the catalog. */
function catalogLakePaths(cwd: string, flags: ServeFlags): LakePaths {
  if (flags.manifest !== undefined) throw new StrataError('usage', '--catalog reads the runs from the catalog: give --stage-root (or --data-root), not --manifest');
  if (flags.stageRoot === undefined) return lakePaths(cwd, flags);
  return lakePaths(cwd, { ...flags, manifest: path.join(flags.stageRoot, '..', '_manifest', 'manifest.parquet') });
}

function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawn(opener, [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
}

export const registerServe: RegisterCommand = (program, { io }) => {
  const command = program
    .command('serve')
    .description('A local web page to browse runs, chip histories, curves and derived metrics, from the manifest and the lake (read-only, offline).')
    .addOption(dataRootOption('02_stage/ and 03_derived/'))
    .option('--manifest <file>', 'the manifest Parquet file (with --stage-root, instead of --data-root)')
    .option('--stage-root <dir>', 'the folder the manifest paths are relative to (with --manifest)')
    .option('--metrics <file>', "the derived metrics `strata derive` writes (default: <data root>/03_derived/_metrics/metrics.parquet)")
    .addOption(proceduresYamlOption('that says what to plot'))
    .option('--host <host>', 'the address to listen on (only this machine by default)', '127.0.0.1')
    .option('--port <n>', 'the port to listen on (0: any free port)', integerOption(0, 65535), 8421)
    .addOption(localTzOption());
  withCatalogOptions(command)
    .option('--open', 'open the page in the default browser')
    .addOption(jsonOption('{"url": ...} once listening'))
    .action(async (flags: ServeFlags) => {
      const catalogUrl = catalogOf(io, flags);
      // From a catalog: a snapshot of its runs taken now and again every few seconds, which the view follows.
      const fromCatalog = catalogUrl === undefined ? undefined : await manifestFromCatalog(catalogUrl, { schema: flags.catalogSchema, refreshMs: 5000, onTrouble: (m) => say(io, `serve: ${m}`) });
      const paths = fromCatalog === undefined ? lakePaths(io.cwd, flags) : { ...catalogLakePaths(io.cwd, flags), manifestPath: fromCatalog.file };
      const catalog = loadProcedureCatalog(proceduresYamlOf(io, flags));
      const view = await LakeView.open({ ...paths, catalog, localTz: checkTimeZone(flags.localTz) });
      try {
        const metrics = new MetricsView(view, paths.metricsPath);
        const server = await startServer({ view, metrics }, { host: flags.host, port: flags.port, onError: (error) => say(io, `serve: ${(error as Error).stack ?? String(error)}`) });
        if (flags.json) printJson(io, { url: server.url, manifest: paths.manifestPath, stage_root: paths.stageRoot, metrics: paths.metricsPath });
        else say(io, `strata serve: ${server.url} (manifest ${paths.manifestPath}); Ctrl+C stops it`);
        if (flags.open) openBrowser(server.url);
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await server.close();
      } finally {
        view.close();
        fromCatalog?.close();
      }
    });
};
