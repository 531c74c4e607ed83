// `strata sample`: samples every new or changed file in the processed-files log, once or continuously.
import path from 'node:path';
import { Option } from 'commander';
import { DEFAULT_IN_FLIGHT_PREFIXES } from '../../discover/in-flight.js';
import type { SampleFormat } from '../../sample/choose-sampler.js';
import { DEFAULT_POLL_MS, DEFAULT_ROWS, runSampler, type SamplerOptions } from '../../sample/run-sampler.js';
import { integerOption } from '../parse-option.js';
import { printJson, progressFor, say, type CliIo, type RegisterCommand } from '../io.js';
import { counted } from '../../progress/counted.js';
import { jsonOption } from '../shared-options.js';

interface SampleFlags {
  readonly log: string;
  readonly samplesDir: string;
  readonly bronzeRoot?: string;
  readonly rows: number;
  readonly watch?: boolean;
  readonly pollMs: number;
  readonly inFlightPrefix?: string[];
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export const registerSample: RegisterCommand = (program, { io }) => {
  program
    .command('sample')
    .description(
      'Write a small sample of each new or changed file in the processed-files log, in its own format, reading only its head: ' +
        '.csv/.csv.gz the # lines, header and first rows; .parquet, .json (array), .jsonl the first rows; .gz the first lines; ' +
        '.zip a zip of the entry list and the first entry if small; .tar a listing; anything else a .meta.json. ' +
        'Samples are <name>_sample.<ext> in the samples folder; a cache there remembers what was sampled, so a second run writes nothing. ' +
        'Unreadable or missing files are reported as failed samples and the run goes on.',
    )
    .requiredOption('--log <file>', 'the processed-files log to read')
    .requiredOption('--samples-dir <dir>', 'the folder the samples (and the cache, .strata-sample-cache.json) go in')
    .option(
      '--bronze-root <dir>',
      "the folder every logged bronze file must be in, links resolved; others are failed samples (default: the folder 'bronze' beside the log's paths, else that folder)",
    )
    // commander appends "(default: N)" itself when it is given the default
    .option('--rows <n>', 'data rows (records, lines) per sample', integerOption(1, 1_000_000), DEFAULT_ROWS)
    .addOption(new Option('--once', 'read the log to its end, then stop (the default)').conflicts('watch'))
    .addOption(new Option('--watch', 'keep polling the log for new lines; SIGINT/SIGTERM stop it after the file in hand').conflicts('once'))
    .option('--poll-ms <ms>', 'with --watch, how often the log is checked', integerOption(10, 3_600_000), DEFAULT_POLL_MS)
    .option('--in-flight-prefix <prefix...>', `file names that are still being written, never sampled (default: ${DEFAULT_IN_FLIGHT_PREFIXES.join(' ')})`)
    .addOption(jsonOption())
    .option('--quiet', 'no progress and no line per sample (failures are still reported)')
    .action(async (flags: SampleFlags) => {
      const start = performance.now();
      const controller = new AbortController();
      const stop = () => {
        if (!controller.signal.aborted) say(io, 'strata sample: stopping after the file in hand');
        controller.abort();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      try {
        const summary = await runSampler(samplerOptions(io, flags, controller.signal));
        say(io, `${summary.sampled} sampled, ${summary.failed} failed, ${summary.unchanged} unchanged, ${summary.inFlight} in flight, ${counted(summary.invalidLines, 'bad log line')}`);
        if (flags.json) printJson(io, { ...summary, seconds: Number(((performance.now() - start) / 1000).toFixed(3)) });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
};

function samplerOptions(io: CliIo, flags: SampleFlags, signal: AbortSignal): SamplerOptions {
  return {
    log: path.resolve(io.cwd, flags.log),
    samplesDir: path.resolve(io.cwd, flags.samplesDir),
    ...(flags.bronzeRoot !== undefined && { bronzeRoot: path.resolve(io.cwd, flags.bronzeRoot) }),
    rows: flags.rows,
    mode: flags.watch ? 'watch' : 'once',
    pollMs: flags.pollMs,
    inFlightPrefixes: flags.inFlightPrefix ?? DEFAULT_IN_FLIGHT_PREFIXES,
    signal,
    progress: progressFor(io, { quiet: flags.quiet || flags.watch }),
    onOutcome: (outcome) => {
      if (outcome.kind === 'failed') say(io, `failed   ${outcome.reason}`);
      else if (outcome.kind === 'invalid-line') say(io, `bad line ${outcome.reason}`);
      else if (outcome.kind === 'sampled' && !flags.quiet) say(io, `sampled  ${outcome.bronze} -> ${outcome.sample} (${sampleSize(outcome.format, outcome.rows)})`);
    },
  };
}

/** What a sample holds, in the words of its format: `1 row`, `3 records`, `12 entries listed`, `metadata only`. */
const SAMPLE_UNITS: Record<SampleFormat, readonly [string, string] | undefined> = {
  csv: ['row', 'rows'],
  parquet: ['row', 'rows'],
  json: ['record', 'records'],
  jsonl: ['line', 'lines'],
  gzip: ['line', 'lines'],
  zip: ['entry listed', 'entries listed'],
  tar: ['entry listed', 'entries listed'],
  meta: undefined,
};

function sampleSize(format: SampleFormat, rows: number): string {
  const unit = SAMPLE_UNITS[format];
  return unit ? counted(rows, unit[0], unit[1]) : 'metadata only';
}
