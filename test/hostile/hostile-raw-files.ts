// The raw instrument files of the hostile corpus: each kind of file issue 21 names, beside the lab's good files.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AUTOFOCUS_PROCEDURE, MARKUP, OUTSIDE_MARK, SCRIPT_ELEMENT } from './hostile-values.js';

/** What the corpus holds at a raw path, and what staging may do with it. */
export type RawEntryKind =
  /** A file a lab instrument could write: it must be staged. */
  | 'good'
  /** A file staging may stage (with warnings) or reject (with a sentence), but never skip unsaid or crash on. */
  | 'hostile'
  /** A file that must be rejected, whatever else happens. */
  | 'reject'
  /** A symbolic link: never followed, so nothing it points at is staged. */
  | 'link'
  /** Skipped on purpose and documented so (hidden folders, `._*`, in-flight `temp_*`, `.txt`). */
  | 'ignored';

export interface RawEntry {
  /** Relative to the raw root, forward slashes. */
  readonly relPath: string;
  readonly kind: RawEntryKind;
  /** The items of issue 21 it exercises (0: none, a good file). */
  readonly items: readonly number[];
  readonly what: string;
}

/** An instrument file in the lab's format (PyMeasure), every part replaceable. */
interface InstrumentFile {
  readonly procedure?: string;
  /** Header parameters replacing or adding to the defaults (in the defaults' order, new ones last). */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly start?: string;
  readonly columns?: readonly string[];
  readonly rows?: readonly (readonly string[])[];
  readonly separator?: ',' | '\t';
  readonly eol?: '\n' | '\r\n';
  readonly bom?: boolean;
}

const DEFAULT_PARAMETERS: Readonly<Record<string, string>> = {
  'Irange': '0.001 A',
  'NPLC': '1',
  'Chip group name': 'Hostile',
  'Chip number': '7',
  'Information': 'hostile corpus',
  'Laser ON+OFF period': '120 s',
  'Laser voltage': '3.08 V',
  'Laser wavelength': '455',
  'Procedure version': '2.2.0',
  'Sample': 'A',
  'VDS': '0.1 V',
  'VG': '0.2 V',
};
const DEFAULT_COLUMNS = ['t (s)', 'I (A)', 'VL (V)'];

function defaultRows(count: number): string[][] {
  return Array.from({ length: count }, (_, i) => [(i * 10).toFixed(1), (5.7e-5 * (1 + i / 100)).toExponential(6), i % 3 === 1 ? '3.08' : '0.0']);
}

export function instrumentText(file: InstrumentFile = {}): string {
  const eol = file.eol ?? '\n';
  const separator = file.separator ?? ',';
  const parameters = { ...DEFAULT_PARAMETERS, ...file.parameters };
  const lines = [
    `#Procedure: ${file.procedure ?? '<laser_setup.procedures.It.It>'}`,
    '#Parameters:',
    ...Object.entries(parameters).map(([key, value]) => `#\t${key}: ${value}`),
    '#Metadata:',
    `#\tStart time: ${file.start ?? '1760372284.0'}`,
    '#Data:',
    (file.columns ?? DEFAULT_COLUMNS).join(separator),
    ...(file.rows ?? defaultRows(12)).map((row) => row.join(separator)),
  ];
  return `${file.bom ? '\ufeff' : ''}${lines.join(eol)}${eol}`;
}

/**
 * Writes the hostile raw files under `raw` (beside the good ones already there) and the files outside it that its
 * links point at, into `outside`; returns what each path is. `escaped` is where a name that climbs to the file
 * system's root comes back down to: inside the corpus's folder, so that an escape shows there.
 */
export function writeHostileRawFiles(raw: string, outside: string, escaped: string): RawEntry[] {
  const entries: RawEntry[] = [];
  let day = 0;
  /**
   * A start time for each file, a day apart from 2025-10-15: each file is the only one of its day, so that no other
   * file's values sit beside its own where the page lists a day (a quote in one can defuse markup in the next).
   */
  const nextStart = () => String(1_760_500_000 + 86_400 * day++);
  const put = (relPath: string, kind: RawEntryKind, items: readonly number[], what: string, bytes: string | Buffer) => {
    const file = path.join(raw, relPath);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    entries.push({ relPath, kind, items, what });
  };
  const instrument = (relPath: string, kind: RawEntryKind, items: readonly number[], what: string, file: InstrumentFile = {}) =>
    put(relPath, kind, items, what, instrumentText({ start: nextStart(), ...file }));

  // Item 1: chip groups that climb out of every root, are the root, or make sub-folders.
  const climbToRoot = `${'../'.repeat(40)}${escaped.slice(1)}`;
  const groups: readonly [string, string][] = [
    ['../../../../../../escaped', 'a group that climbs six folders'],
    [`${climbToRoot}/ESCAPED`, 'a group that climbs to / and back down into the corpus folder'],
    ['/', 'a group that is the root'],
    ['Grp/sub', 'a group that makes a sub-folder'],
    ['..', 'a group that is the parent folder'],
    [MARKUP[0], 'a group of markup'],
  ];
  groups.forEach(([group, what], i) => instrument(`names/group_${i + 1}.csv`, 'reject', [1, 2], what, { parameters: { 'Chip group name': group } }));

  // Items 2 and 3: procedure names that are markup, empty, nested, climbing, quoted, glob characters, or a view's name.
  const procedures: readonly [string, RawEntryKind, string][] = [
    [AUTOFOCUS_PROCEDURE, 'reject', 'the procedure of item 2: an anchor that focuses itself and runs a handler'],
    ['<>', 'reject', 'an empty procedure'],
    ['<x/y>', 'reject', 'a procedure with a /'],
    [`<a.b.c/../../../escaped/P>`, 'reject', 'a procedure that climbs out of the stage root'],
    [`<a.It"; DROP VIEW runs; -->`, 'reject', 'a procedure that closes a quoted identifier'],
    ['<a.Pro[c>', 'reject', "a procedure with a glob's ["],
    ['<a.It*>', 'reject', "a procedure with a glob's *"],
    [`<a.${SCRIPT_ELEMENT}>`, 'reject', 'a procedure holding a script element'],
    [`<a.${'P'.repeat(300)}>`, 'reject', 'a procedure of 300 letters'],
    ['<laser_setup.procedures.runs.runs>', 'hostile', "a procedure named like the manifest's view, runs"],
    ['<laser_setup.procedures.it.it>', 'hostile', 'a procedure that differs from It in letter case only'],
  ];
  procedures.forEach(([procedure, kind, what], i) => instrument(`procedures/proc_${i + 1}.csv`, kind, [2, 3], what, { procedure }));

  // Item 2: markup in every other field the page shows: parameters, warnings, source paths, column names.
  instrument('markup/values.csv', 'hostile', [2], 'markup in the Information and Sample parameters and in a number (a warning)', {
    parameters: { Information: SCRIPT_ELEMENT, Sample: MARKUP[0], VG: `${MARKUP[3]} V`, 'Chip number': MARKUP[1] },
  });
  instrument('markup/columns.csv', 'hostile', [2], 'markup as data column names', {
    columns: [...DEFAULT_COLUMNS, MARKUP[0], MARKUP[1], MARKUP[3]],
    rows: defaultRows(12).map((row) => [...row, '1', '2', '3']),
  });
  MARKUP.forEach((markup, i) => instrument(`markup/${markup}_${i + 1}.csv`, 'hostile', [2], 'markup as a file name (the source path)'));

  // Item 6: links out of the raw root, to a file and to a folder, a loop and a dangling one.
  mkdirSync(path.join(outside, 'folder'), { recursive: true });
  const secret = instrumentText({ start: nextStart(), parameters: { Information: OUTSIDE_MARK, 'Chip group name': 'Outside' } });
  writeFileSync(path.join(outside, 'It_outside.csv'), secret);
  writeFileSync(path.join(outside, 'folder', 'It_outside_folder.csv'), secret);
  const link = (relPath: string, target: string, what: string) => {
    mkdirSync(path.dirname(path.join(raw, relPath)), { recursive: true });
    symlinkSync(target, path.join(raw, relPath));
    entries.push({ relPath, kind: 'link', items: [6], what });
  };
  link('links/absolute.csv', path.join(outside, 'It_outside.csv'), 'a link to a file outside the raw root, by its absolute path');
  link('links/relative.csv', path.relative(path.join(raw, 'links'), path.join(outside, 'It_outside.csv')), 'a relative link out of the raw root');
  link('links/folder', path.join(outside, 'folder'), 'a link to a folder outside the raw root');
  link('links/loop', '.', 'a link to its own folder');
  link('links/dangling.csv', 'nowhere.csv', 'a link to nothing');

  // Item 7: too many data columns, the 100,002 of the report and the 5,000 that cost 130 s; 1,001 just past a limit of 1,000.
  for (const [count, name] of [[100_002, 'It_100002_columns.csv'], [5_000, 'It_5000_columns.csv'], [1_001, 'It_1001_columns.csv']] as const) {
    const columns = [...DEFAULT_COLUMNS, ...Array.from({ length: count - DEFAULT_COLUMNS.length }, (_, i) => `extra_${i + 1} (V)`)];
    const rows = defaultRows(3).map((row) => [...row, ...Array.from({ length: count - row.length }, (_, i) => String(i % 10))]);
    instrument(`wide/${name}`, 'reject', [7], `${count} data columns`, { columns, rows });
  }

  // Item 12: a long row, an epoch-milliseconds start time.
  instrument('sentences/long_row.csv', 'reject', [12], 'a row of 4 values under 3 columns', { rows: [...defaultRows(5), ['60.0', '1e-5', '0.0', '9']] });
  instrument('sentences/epoch_ms.csv', 'hostile', [12], 'a start time in epoch milliseconds', { start: '1760372284318' });

  // Item 13: numbers no double holds, local times the clocks skipped or showed twice, a space for the T, tab-separated
  // tables, a huge chip number, two paths that differ in letter case only, a file named `..csv`.
  instrument('numbers/overflow.csv', 'hostile', [13], '1e400 and 1e-400 in the table and in a header value', {
    parameters: { VDS: '1e400 V' },
    rows: [...defaultRows(4), ['50.0', '1e400', '0.0'], ['60.0', '1e-400', '-1e400']],
  });
  instrument('times/dst_gap.csv', 'hostile', [13], 'a local start time the clocks skipped (Santiago, 2025-09-07)', { start: '2025-09-07T00:30:00' });
  instrument('times/dst_overlap.csv', 'hostile', [13], 'a local start time the clocks showed twice (Santiago, 2025-04-05)', { start: '2025-04-05T23:30:00' });
  instrument('times/space.csv', 'hostile', [13], 'an ISO start time with a space for the T', { start: '2025-10-22 12:00:00' });
  instrument('tables/tabs.csv', 'hostile', [13], 'a tab-separated table in a .csv', { separator: '\t' });
  instrument('tables/tabs.tsv', 'hostile', [13], 'a tab-separated table in a .tsv', { separator: '\t' });
  instrument('chips/huge_chip.csv', 'hostile', [13], 'a chip number of 30 digits', { parameters: { 'Chip number': '123456789012345678901234567890' } });
  const sameStart = nextStart();
  instrument('case/Case/x.csv', 'hostile', [13], 'a path that differs from case/case/x.csv in letter case only, same start time', { start: sameStart });
  instrument('case/case/x.csv', 'hostile', [13], 'a path that differs from case/Case/x.csv in letter case only, same start time', { start: sameStart });
  instrument('dots/..csv', 'hostile', [13], 'a file named ..csv');
  instrument('dots/.x.csv', 'hostile', [13], 'a file named .x.csv');

  // Bytes no instrument writes: a BOM with CRLF, binary, NUL bytes in the table, Latin-1, nothing, a header alone, one
  // endless line, a newline in the file's name.
  instrument('bytes/bom_crlf.csv', 'good', [0], 'a BOM and CRLF line ends', { bom: true, eol: '\r\n' });
  put('bytes/binary.csv', 'reject', [0], 'random bytes with NULs', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251 === 0 ? 0 : (i * 2654435761) % 256)));
  put('bytes/nul_in_table.csv', 'hostile', [0], 'NUL bytes inside the table', instrumentText({ start: nextStart() }).replace('0.0\n10.0', '0.0\u0000\n10.0\u0000'));
  put('bytes/latin1.csv', 'reject', [0], 'a Latin-1 byte in the header', Buffer.from(instrumentText({ start: nextStart(), parameters: { Information: 'medición' } }), 'latin1'));
  put('bytes/empty.csv', 'reject', [0], 'zero bytes', '');
  put('bytes/header_only.csv', 'reject', [0], 'a header and no table', instrumentText({ start: nextStart() }).split('#Data:')[0]!);
  put('bytes/one_line.csv', 'reject', [0], 'one 4 MB line and no newline', 'x,'.repeat(2 * 1024 * 1024));
  instrument('bytes/new\nline.csv', 'hostile', [0], 'a newline in the file name');

  // Skipped on purpose, and said so in the README.
  instrument('.git/hidden.csv', 'ignored', [0], 'a hidden folder');
  instrument('bytes/._apple.csv', 'ignored', [0], "macOS's resource fork");
  instrument('bytes/temp_inflight.csv', 'ignored', [0], 'an in-flight file');
  return entries;
}
