// `strata query "SQL"`: one DuckDB query over views of the lake (`runs` and one per procedure), as a table, CSV or JSON.
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { writeViaTemp } from '../../fs/atomic-file.js';
import { withLakeQuery, type LakeQuery } from '../../query/query-lake.js';
import { TABLE_ROW_LIMIT, renderTable, writeCsv, writeJsonRows, type TextSink } from '../../query/query-output.js';
import { choiceOption } from '../parse-option.js';
import { printJson, say, type CliIo, type RegisterCommand } from '../io.js';
import { catalogManifestFile, withCatalogOptions, type CatalogFlags } from '../manifest-options.js';
import { jsonOption } from '../shared-options.js';

const FORMATS = ['table', 'csv', 'json'] as const;
type Format = (typeof FORMATS)[number];

interface QueryFlags extends CatalogFlags {
  readonly stageRoot: string;
  readonly manifest?: string;
  readonly format: Format;
  readonly out?: string;
  readonly json?: boolean;
}

export const registerQuery: RegisterCommand = (program, { io }) => {
  const command = program
    .command('query')
    .description(
      'Run one DuckDB query over the lake, reading nothing else and writing nothing. Views: runs (the manifest, one row ' +
        'per run) and one per procedure (It, IVg...: every data row, with proc, date and run_id from the partition path), ' +
        'each made when the query names it. Example: ' +
        `strata query "SELECT r.chip_name, count(*) FROM It JOIN runs r USING (run_id) GROUP BY ALL"`,
    )
    .argument('<sql>', 'one SQL query; quote procedure views with mixed case as "IVg"')
    .option('--stage-root <dir>', 'the stage root', path.join('data', '02_stage', 'raw_measurements'))
    .option('--manifest <file>', 'the manifest (default: <stage root>/../_manifest/manifest.parquet)')
    .option('--format <format>', `output format: ${FORMATS.join(', ')} (a table shows the first ${TABLE_ROW_LIMIT} rows; csv and json stream every row)`, choiceOption(FORMATS), 'table')
    .option('--out <file>', 'write the result to this file instead of stdout (complete or not at all)')
    .addOption(jsonOption('a summary (with --out, the row count; without, the rows too)'));
  withCatalogOptions(command).action(async (sql: string, flags: QueryFlags) => {
      const stageRoot = path.resolve(io.cwd, flags.stageRoot);
      // With --catalog, the runs (and each run's data file) are the catalog's, as a snapshot taken now.
      const manifestPath = (await catalogManifestFile(io, flags)) ?? (flags.manifest ? path.resolve(io.cwd, flags.manifest) : path.join(stageRoot, '..', '_manifest', 'manifest.parquet'));
      await withLakeQuery({ stageRoot, manifestPath }, sql, async (query) => {
        for (const note of query.notes) say(io, `note: ${note}`);
        try {
          await printResult(io, query, flags);
        } catch (error) {
          if (!(error instanceof OutputClosed)) throw error;
        }
      });
    });
};

async function printResult(io: CliIo, query: LakeQuery, flags: QueryFlags): Promise<void> {
  if (flags.out !== undefined) {
    const out = path.resolve(io.cwd, flags.out);
    const rows = await writeViaTemp(out, (temp) => writeFile(temp, (write) => writeFormat(query, flags.format, write)));
    if (flags.json) printJson(io, { rows, columns: query.columns, out });
    else say(io, `wrote ${rows} row${rows === 1 ? '' : 's'} to ${out}`);
    return;
  }
  const write = streamSink(io.stdout);
  if (flags.json) {
    // The summary streams too: its rows are written as they come, their count after them.
    await write(`{"columns":${JSON.stringify(query.columns)},"notes":${JSON.stringify(query.notes)},"data":`);
    const rows = await writeJsonRows(query, write);
    await write(`,"rows":${rows}}\n`);
    return;
  }
  await writeFormat(query, flags.format, write);
}

/** Writes the result in `format`; returns the rows written (a table: the rows shown). */
async function writeFormat(query: LakeQuery, format: Format, write: TextSink): Promise<number> {
  if (format === 'csv') return writeCsv(query, write);
  if (format === 'json') {
    const rows = await writeJsonRows(query, write);
    await write('\n');
    return rows;
  }
  const table = await renderTable(query);
  await write(table.text);
  return table.shown;
}

async function writeFile<T>(file: string, work: (write: TextSink) => Promise<T>): Promise<T> {
  const fd = openSync(file, 'w');
  try {
    return await work((text) => {
      const bytes = Buffer.from(text);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    });
  } finally {
    closeSync(fd);
  }
}

/** The reader of stdout went away (`| head`): the rest is not wanted, so reading stops. */
class OutputClosed extends Error {}

/** Writes to a stream, waiting for it to drain when it is full, so memory stays bounded whatever the result's size. */
function streamSink(stream: NodeJS.WritableStream): TextSink {
  // stdout is never destroyed: when its reader goes it errors, closes, and then says it is writable again.
  let gone = false;
  const end = () => (gone = true);
  stream.once('close', end);
  stream.on('error', end);
  return async (text) => {
    if (gone) throw new OutputClosed();
    if (stream.write(text)) return;
    if (!stream.writable) throw new OutputClosed();
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        stream.off('error', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('close', done);
      stream.once('error', done);
    });
    if (gone) throw new OutputClosed();
  };
}
