// `strata validate [FILE...]`: cleans and casts landed files into stage/cleaned/<dataset>/<period>.parquet, rejects aside.
import path from 'node:path';
import { validateFiles } from '../../landed/validate-file.js';
import { printJson, say, type RegisterCommand } from '../io.js';
import { landedFileArguments, secondsSince, withStageDatabase, withStageDatabaseFlags, type StageDatabaseFlags } from '../stage-database-options.js';
import { counted } from '../../progress/counted.js';

export const registerValidate: RegisterCommand = (program, { io, setExitCode }) => {
  withStageDatabaseFlags(
    program
      .command('validate')
      .description(
        'Clean and cast landed files to their dataset types; write <data-root>/stage/cleaned/<dataset>/<period>.parquet, ' +
          'bad rows to <data-root>/stage/rejects/<dataset>/<period>.csv; exit 1 if a file is refused',
      )
      .argument('[files...]', 'landed files (default: every file under <data-root>/landed)'),
  ).action(async (files: string[], flags: StageDatabaseFlags) => {
    const start = performance.now();
    const landed = await landedFileArguments(io, flags, files);
    const outcomes = await withStageDatabase(io, flags, ({ rules, dataRoot, log, progress }) => validateFiles(landed, { rules, dataRoot, log, progress }));
    for (const o of outcomes) {
      if (o.status === 'refused') say(io, `refused  ${o.reason}`);
      else say(io, `ok       ${path.basename(o.file)}: ${counted(o.rowsOk, 'row')} -> ${o.parquet}${o.rowsRejected > 0 ? `; ${o.rowsRejected} rejected -> ${o.rejects}` : ''}`);
    }
    const refused = outcomes.filter((o) => o.status === 'refused').length;
    if (refused > 0) setExitCode(1);
    if (flags.json) {
      const sum = (pick: (o: (typeof outcomes)[number]) => number) => outcomes.reduce((total, o) => total + pick(o), 0);
      printJson(io, {
        files: outcomes.length,
        ok: outcomes.length - refused,
        refused,
        rows: sum((o) => o.rowsOk),
        rejected: sum((o) => o.rowsRejected),
        seconds: secondsSince(start),
        outcomes,
      });
    }
  });
};
