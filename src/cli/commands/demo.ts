// `strata demo [DIR]`: writes a realistic generated lab corpus, stages it, builds histories, and says where to look.
import path from 'node:path';
import { generateLabCorpus } from '../../demo/generate-lab-corpus.js';
import { labLayout, runLabPipeline } from '../../pipeline/run-lab-pipeline.js';
import { integerOption } from '../parse-option.js';
import { printJson, progressFor, say, type RegisterCommand } from '../io.js';
import { stagingConfigFrom } from './stage.js';
import { counted } from '../../progress/counted.js';
import { userCacheDir } from '../../schema/cached-catalog.js';
import { jsonOption } from '../shared-options.js';

interface DemoFlags {
  readonly files: number;
  readonly seed: number;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export const registerDemo: RegisterCommand = (program, { io }) => {
  program
    .command('demo')
    .description('Generate a realistic lab corpus in DIR/data/01_raw (a few bad files included), stage it, build histories.')
    .argument('[dir]', 'where to put data/', '.')
    .option('--files <n>', 'good instrument files to generate', integerOption(1, 1_000_000), 240)
    .option('--seed <n>', 'random seed: the same seed writes the same corpus', integerOption(0, 2 ** 31), 1)
    .addOption(jsonOption())
    .option('--quiet', 'no progress and no messages, only errors')
    .action(async (dir: string, flags: DemoFlags) => {
      const layout = labLayout(path.resolve(io.cwd, dir, 'data'));
      const talk = (line: string) => (flags.quiet || flags.json ? undefined : say(io, line));
      talk(`Writing ${flags.files} generated instrument files (and one of each kind of bad file) to ${layout.raw} ...`);
      const corpus = await generateLabCorpus({ root: layout.raw, files: flags.files, seed: flags.seed, badFiles: true, variants: true });
      const config = stagingConfigFrom({ rawRoot: layout.raw, stageRoot: layout.stageRoot }, io);
      const summary = await runLabPipeline(config, {
        historyDir: layout.history,
        progress: progressFor(io, { quiet: flags.quiet || flags.json }),
        catalogCaches: [userCacheDir(io.env)],
      });
      const { stage } = summary;
      if (flags.json) {
        printJson(io, { ...stage, rejects: undefined, generated: corpus.files.length, histories: summary.histories.length, history_dir: layout.history });
        return;
      }
      talk(`Staged ${counted(stage.ok, 'run')} (${counted(stage.rows, 'row')}) in ${stage.seconds.toFixed(2)} s; ${stage.skipped} skipped, ${stage.rejected} rejected (on purpose: the demo includes bad files).`);
      for (const reject of stage.rejects) talk(`  rejected: ${reject.error}`);
      const example = summary.histories[0];
      talk('');
      talk('Where to look:');
      talk(`  the lake        ${layout.stageRoot}/proc=<Proc>/date=<YYYY-MM-DD>/run_id=<id>/part-000.parquet`);
      talk(`  the manifest    ${config.manifestPath}`);
      talk(`  rejects         ${config.rejectsDir}`);
      talk(`  chip histories  ${layout.history} (${counted(summary.histories.length, 'chip')})`);
      talk('');
      talk('Try next:');
      if (example) talk(`  npx strata history ${example.chip.replace(/^\D+/, '')} --manifest ${config.manifestPath}`);
      talk(`  npx strata inspect-manifest --manifest ${config.manifestPath} --proc It --light yes`);
      talk(`  npx strata validate-manifest --manifest ${config.manifestPath}`);
      talk(`  npx strata serve --data-root ${path.dirname(layout.raw)}`);
    });
};
