// `strata ingest [FILE...]`: checks landed files in place (name, period, headers) and logs each in meta.ingestion_log.
import path from 'node:path';
import { ingestFiles } from '../../landed/ingest.js';
import { printJson, say, type RegisterCommand } from '../io.js';
import { landedFileArguments, secondsSince, withStageDatabase, withStageDatabaseFlags, type StageDatabaseFlags } from '../stage-database-options.js';

export const registerIngest: RegisterCommand = (program, { io, setExitCode }) => {
  withStageDatabaseFlags(
    program
      .command('ingest')
      .description('Check landed files where they are (file name, period, headers) and record each in meta.ingestion_log; exit 1 if any is refused')
      .argument('[files...]', 'landed files (default: every file under <data-root>/landed)'),
  ).action(async (files: string[], flags: StageDatabaseFlags) => {
    const start = performance.now();
    const landed = await landedFileArguments(io, flags, files);
    const outcomes = await withStageDatabase(io, flags, ({ rules, dataRoot, log, progress }) => ingestFiles(landed, { rules, dataRoot, log, progress }));
    for (const o of outcomes) {
      say(io, o.status === 'ok' ? `ok       ${path.basename(o.file)}: dataset ${o.dataset}, period ${o.period}` : `refused  ${o.reason}`);
    }
    const refused = outcomes.filter((o) => o.status === 'refused').length;
    if (refused > 0) setExitCode(1);
    if (flags.json) {
      printJson(io, { files: outcomes.length, ok: outcomes.length - refused, refused, seconds: secondsSince(start), outcomes });
    }
  });
};
