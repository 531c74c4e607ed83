// `strata record RAW BRONZE`: appends one line to the processed-files log (safe while other processes append too).
import path from 'node:path';
import { recordProcessedFile } from '../../sample/processed-log.js';
import { printJson, type RegisterCommand } from '../io.js';
import { jsonOption } from '../shared-options.js';

export const DEFAULT_LOG_NAME = 'processed.jsonl';

export const registerRecord: RegisterCommand = (program, { io }) => {
  program
    .command('record')
    .description(
      'Append one line to the processed-files log: RAW was moved or copied to BRONZE. The line holds both paths (absolute), ' +
        "the bronze file's mtime and size (the raw file's, when BRONZE does not exist yet) and the time it was recorded. " +
        'One write of a whole line, so concurrent recorders never tear or interleave lines.',
    )
    .argument('<raw>', 'the raw file')
    .argument('<bronze>', 'its bronze copy')
    .option('--log <file>', `the processed-files log (default: ./${DEFAULT_LOG_NAME})`)
    .addOption(jsonOption('the line written'))
    .action(async (raw: string, bronze: string, flags: { log?: string; json?: boolean }) => {
      const log = path.resolve(io.cwd, flags.log ?? DEFAULT_LOG_NAME);
      const entry = await recordProcessedFile(log, { raw: path.resolve(io.cwd, raw), bronze: path.resolve(io.cwd, bronze) });
      if (flags.json) printJson(io, entry);
    });
};
