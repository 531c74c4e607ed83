// The landed files (with their datasets.yml) and the processed-files log (with its bronze files) of the hostile corpus.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pack } from 'tar-stream';
import { buffer } from 'node:stream/consumers';
import { MARKUP, OUTSIDE_MARK } from './hostile-values.js';
import { deflatedEntry, repeatedEntry, zipOf, type ZipEntry } from './zip-bomb.js';

/** What a landed file is, and what `ingest`/`validate`/`load` may do with it. */
export interface LandedEntry {
  readonly name: string;
  /** good: validated and loaded; refused: refused with a sentence, the run going on. */
  readonly kind: 'good' | 'refused';
  readonly items: readonly number[];
  readonly what: string;
}

/** Inflated, the bomb's sheet is this many MiB of empty rows (about 3 GB), from under 5 MB of zip. */
const BOMB_MIB = 3000;

/** A repeated `(a+)+` before a suffix that a crafted name lacks: JavaScript's engine backtracks 2^n times on it. */
export const CATASTROPHIC_PATTERN = '^(?<period>\\d{4}-\\d{2})_(a+)+\\.csv$';

const DATASETS_YML = `# The dataset rules of the hostile corpus: the example's citizens, and a pattern that backtracks catastrophically.
datasets:
  citizens:
    file_pattern: '^citizens_(?<period>\\d{4}-\\d{2})\\.(csv|xlsx)$'
    table: citizens
    required_headers: [citizen_id, first_name, birth_date, income]
    columns: {citizen_id: int, first_name: str, birth_date: date, income: float}
    primary_key: [citizen_id]
  crafted:
    file_pattern: '${CATASTROPHIC_PATTERN}'
    table: crafted
    required_headers: [id]
    columns: {id: int}
`;

const CITIZENS = ['citizen_id,first_name,birth_date,income', '1,Ana,1988-04-12,2150.50', '2,Bruno,1975-11-30,3100', `3,${MARKUP[1].replaceAll('"', "'")},2001-02-28,`];

/** Writes `<dataRoot>/landed/*` and `<dataRoot>/datasets.yml`; returns what each landed file is. */
export function writeLandedFiles(dataRoot: string): LandedEntry[] {
  const landed = path.join(dataRoot, 'landed');
  mkdirSync(landed, { recursive: true });
  writeFileSync(path.join(dataRoot, 'datasets.yml'), DATASETS_YML);
  const entries: LandedEntry[] = [];
  const put = (name: string, kind: LandedEntry['kind'], items: readonly number[], what: string, bytes: string | Buffer) => {
    writeFileSync(path.join(landed, name), bytes);
    entries.push({ name, kind, items, what });
  };
  put('citizens_2024-01.csv', 'good', [0], 'a good month, one name of markup', `${CITIZENS.join('\n')}\n`);
  put('citizens_2024-02.xlsx', 'refused', [8], `a zip bomb: ${BOMB_MIB} MiB of sheet, its size declared`, bombWorkbook((sheet) => sheet));
  put('citizens_2024-03.xlsx', 'refused', [8], `a zip bomb that declares its sheet 4 KB`, bombWorkbook((sheet) => ({ ...sheet, size: 4096 })));
  put('citizens_2024-04.csv', 'refused', [0], 'a Latin-1 byte', Buffer.from(`${CITIZENS.join('\n')}\n4,Sebastián,1999-01-01,1\n`, 'latin1'));
  put('citizens_2024-05.csv', 'refused', [0], 'NUL bytes in a row', `${CITIZENS.join('\n')}\n5,Nul\u0000\u0000,1999-01-01,1\n`);
  put(`2024-06_${'a'.repeat(48)}!.csv`, 'refused', [11], 'a name made to backtrack on the crafted pattern', 'id\n1\n');
  put('2024-07_aaa.csv', 'good', [11], 'a name the crafted pattern matches', 'id\n1\n2\n');
  return entries;
}

/** An .xlsx whose one sheet inflates to BOMB_MIB MiB of `<row/>`; `forge` may change what its headers declare. */
function bombWorkbook(forge: (sheet: ZipEntry) => ZipEntry): Buffer {
  const rowsMiB = Buffer.from('<row/>'.repeat(Math.ceil((1024 * 1024) / 6)));
  const head = Buffer.from('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>citizen_id</t></is></c></row>');
  const sheet = repeatedEntry('xl/worksheets/sheet1.xml', head, rowsMiB, BOMB_MIB, Buffer.from('</sheetData></worksheet>'));
  return zipOf([
    deflatedEntry('[Content_Types].xml', Buffer.from('<Types><Override PartName="/xl/worksheets/sheet1.xml"/></Types>')),
    deflatedEntry('xl/workbook.xml', Buffer.from('<workbook><sheets><sheet name="data" r:id="rId1"/></sheets></workbook>')),
    deflatedEntry('xl/_rels/workbook.xml.rels', Buffer.from('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>')),
    forge(sheet),
  ]);
}

/** What a line of the processed-files log points at, and what `sample` may do with it. */
export interface LoggedEntry {
  /** The `bronze` value of the line, as written. */
  readonly bronze: string;
  /** sampled: a sample is written; failed: a failed sample with a reason (never a sample); invalid: a bad line. */
  readonly kind: 'sampled' | 'failed' | 'invalid';
  readonly items: readonly number[];
  readonly what: string;
}

/**
 * Writes `<site>/bronze/...` and the log `<site>/manifests/processed.jsonl` (relative paths resolve from `<site>`, as
 * the design's layout has it), with lines that point outside the bronze root; returns what each line is.
 */
export async function writeBronzeFiles(site: string, outside: string): Promise<LoggedEntry[]> {
  const day = path.join(site, 'bronze', '2026', '01', '18');
  mkdirSync(day, { recursive: true });
  mkdirSync(path.join(site, 'manifests'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'secret.csv'), `#${OUTSIDE_MARK}\nsecret\n${OUTSIDE_MARK}\n`);
  const entries: LoggedEntry[] = [];
  const lines: string[] = [];
  const log = (bronze: string, kind: LoggedEntry['kind'], items: readonly number[], what: string, line?: string) => {
    lines.push(line ?? JSON.stringify({ raw: `raw/env0/${path.basename(bronze)}`, bronze, mtime: 1_737_200_000.0 }));
    entries.push({ bronze, kind, items, what });
  };
  const bronzeFile = (name: string, bytes: string | Buffer) => {
    writeFileSync(path.join(day, name), bytes);
    return `bronze/2026/01/18/${name}`;
  };

  log(bronzeFile('143000-0a1b2c3d--good.csv', `#Procedure: <It>\nt,i\n${'1,2\n'.repeat(300)}`), 'sampled', [0], 'a good CSV');
  const slip = await buffer(tarWith([['../../../../escaped/tar-slip.txt', 'slip'], ['ok.txt', 'ok']]));
  log(bronzeFile('143001-1b2c3d4e--slip.tar', slip), 'sampled', [5], 'a tar whose entry names climb out');
  const zipSlip = zipOf([deflatedEntry('../../../../escaped/zip-slip.txt', Buffer.from('slip')), deflatedEntry('ok.txt', Buffer.from('ok'))]);
  log(bronzeFile('143002-2c3d4e5f--slip.zip', zipSlip), 'sampled', [5], 'a zip whose entry names climb out');
  log(bronzeFile(`143003-3d4e5f60--${MARKUP[0]}.csv`, 'a,b\n1,2\n'), 'sampled', [1], 'a name of markup (the sample name)');
  log(bronzeFile('143004-4e5f6071--..csv', 'a,b\n1,2\n'), 'sampled', [1, 13], 'a file named ..csv');
  log(bronzeFile(`143005-5f607182--${'n'.repeat(230)}.csv`, 'a,b\n1,2\n'), 'sampled', [1], 'a name too long for a sample name as it is');

  // Item 5: paths outside the bronze root, absolute, climbing, or through a link.
  log('/etc/passwd', 'failed', [5], 'an absolute path outside the bronze root');
  log(path.join(outside, 'secret.csv'), 'failed', [5], 'an absolute path to a file outside the bronze root, in the corpus');
  log('bronze/../../outside/secret.csv', 'failed', [5], 'a relative path that climbs out of the bronze root');
  log(`${'../'.repeat(30)}etc/hostname`, 'failed', [5], 'a relative path that climbs to /etc');
  symlinkSync(path.join(outside, 'secret.csv'), path.join(day, '143006-60718293--link.csv'));
  log('bronze/2026/01/18/143006-60718293--link.csv', 'failed', [5], 'a link out of the bronze root');
  log('bronze/2026/01/18', 'failed', [0], 'a folder');
  log('bronze/2026/01/18/143007-71829304--gone.csv', 'failed', [0], 'a file that is not there');

  // Item 12: a NUL byte in a path; lines that are not entries.
  log('bronze/2026/01/18/a\u0000b.csv', 'invalid', [12], 'a NUL byte in the path');
  log('', 'invalid', [0], 'not JSON', 'not json at all');
  log('', 'invalid', [0], 'a bronze path that is a number', JSON.stringify({ raw: 'raw/env0/x', bronze: 42, mtime: 1 }));
  writeFileSync(path.join(site, 'manifests', 'processed.jsonl'), `${lines.join('\n')}\n{"raw": "raw/env0/torn.csv", "bro`);
  return entries;
}

function tarWith(files: readonly (readonly [string, string])[]) {
  const tar = pack();
  for (const [name, text] of files) tar.entry({ name }, text);
  tar.finalize();
  return tar;
}
