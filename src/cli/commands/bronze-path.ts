// `strata bronze-path RAW`: prints where a raw file goes in bronze (environment folder dropped, UTC date folders, HHMMSS-<tag>-- prefix).
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { bronzePathFor } from '../../sample/bronze-path.js';
import { parseIsoInstant } from '../../time/local-time.js';
import type { RegisterCommand } from '../io.js';

interface BronzePathFlags {
  readonly at?: Date;
  readonly rawRoot?: string;
  readonly bronzeRoot?: string;
}

function instantOption(text: string): Date {
  const instant = parseIsoInstant(text, 'UTC');
  if (!instant) throw new InvalidArgumentError(`expected an ISO-8601 time such as 2026-01-18T14:30:00Z, got '${text}'.`);
  return instant;
}

export const registerBronzePath: RegisterCommand = (program, { io }) => {
  program
    .command('bronze-path')
    .description(
      'Print the bronze location of a raw file: raw/env0/data.csv at 2026-01-18T14:30:00Z -> bronze/2026/01/18/143000-<tag>--data.csv. ' +
        'The environment folder (the first below the raw root) is dropped; deeper folders are kept below the date; <tag> is 8 hex digits ' +
        'of the SHA-256 of the path below the raw root (env0/data.csv), so two raw files never share a bronze path. Same file and time, same path.',
    )
    .argument('<raw>', 'the raw file (it need not exist)')
    .option('--at <iso-time>', 'the time it is processed; without an offset it is UTC (default: now)', instantOption)
    .option('--raw-root <dir>', "the raw root (default: the nearest folder named 'raw' above RAW)")
    .option('--bronze-root <dir>', "the bronze root (default: a folder 'bronze' beside the raw root)")
    .action((raw: string, flags: BronzePathFlags) => {
      const resolve = (p: string) => path.resolve(io.cwd, p);
      const bronze = bronzePathFor(resolve(raw), {
        at: flags.at ?? new Date(),
        ...(flags.rawRoot ? { rawRoot: resolve(flags.rawRoot) } : {}),
        ...(flags.bronzeRoot ? { bronzeRoot: resolve(flags.bronzeRoot) } : {}),
      });
      // Answer in the form the question was asked: relative in, relative out.
      io.stdout.write(`${path.isAbsolute(raw) ? bronze : path.relative(io.cwd, bronze)}\n`);
    });
};
