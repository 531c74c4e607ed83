// One sheet of an .xlsx workbook as rows of text, as a CSV would hold them; merged cells and formulas refused.
import path from 'node:path';
import { attribute, decodeEntities, elements, firstElement, readXmlParts, stringText, type XmlElement } from './xlsx-parts.js';

export interface SheetRow {
  /** The row number in the sheet (1 is the first row). */
  readonly row: number;
  readonly cells: readonly string[];
}

export type SheetRead =
  | { readonly ok: true; readonly name: string; readonly rows: readonly SheetRow[] }
  | { readonly ok: false; readonly reason: string };

/** Number formats Excel builds in for dates and times (ECMA-376, 18.8.30). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);
const MS_PER_DAY = 86_400_000;
/** Day 0 of the 1900 date system, as Excel counts it (1899-12-30, its leap-year bug included), and of 1904's. */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

/** Reads the named sheet, or the first one. */
export async function readXlsxSheet(file: string, sheetName: string | undefined): Promise<SheetRead> {
  const parts = await readXmlParts(file);
  const workbook = parts.get('xl/workbook.xml') ?? '';
  const sheets = [...elements(firstElement(workbook, 'sheets').body, 'sheet')];
  const sheet = sheetName === undefined ? sheets[0] : sheets.find((s) => attribute(s, 'name') === sheetName);
  if (!sheet) {
    const names = sheets.map((s) => `'${attribute(s, 'name')}'`).join(', ');
    return { ok: false, reason: sheetName === undefined ? 'the workbook has no sheet' : `the workbook has no sheet '${sheetName}' (it has ${names})` };
  }
  const name = attribute(sheet, 'name') ?? '';
  const relations = [...elements(parts.get('xl/_rels/workbook.xml.rels') ?? '', 'Relationship')];
  const relation = relations.find((r) => attribute(r, 'Id') === attribute(sheet, 'r:id'));
  const target = relation === undefined ? '' : (attribute(relation, 'Target') ?? '');
  const worksheet = parts.get(target.startsWith('/') ? target.slice(1) : path.posix.join('xl', target)) ?? '';
  const label = `sheet '${name}'`;
  const merges = [...elements(worksheet, 'mergeCell')].map((m) => attribute(m, 'ref'));
  if (merges.length > 0) return { ok: false, reason: `${label} has merged cells (${merges.join(', ')}); unmerge them so every cell holds its own value` };
  const read = cellReader(parts, firstElement(workbook, 'workbookPr'));
  const rows: SheetRow[] = [];
  for (const row of elements(firstElement(worksheet, 'sheetData').body, 'row')) {
    const cells: string[] = [];
    let i = 0;
    for (const cell of elements(row.body, 'c')) {
      const ref = attribute(cell, 'r');
      const formula = cell.body.includes('<f') ? firstElement(cell.body, 'f') : null;
      if (formula !== null) return { ok: false, reason: `${label}, cell ${ref} (=${decodeEntities(formula.body)}), holds a formula; save the sheet with values only` };
      i = ref === undefined ? i : columnIndex(ref);
      cells[i] = read(cell);
      i += 1;
    }
    if (cells.some((c) => c !== undefined && c !== '')) rows.push({ row: Number(attribute(row, 'r') ?? rows.length + 1), cells: Array.from(cells, (c) => c ?? '') });
  }
  if (rows.length === 0) return { ok: false, reason: `${label} is empty: expected a header row` };
  return { ok: true, name, rows };
}

/** `C12` -> 2 (0-based). */
function columnIndex(ref: string): number {
  let index = 0;
  for (const ch of /^[A-Z]+/.exec(ref)?.[0] ?? 'A') index = index * 26 + (ch.charCodeAt(0) - 64);
  return index - 1;
}

/** A cell as text: shared and inline strings, booleans, errors, numbers, and dates (by their style) as ISO-8601. */
function cellReader(parts: ReadonlyMap<string, string>, workbookPr: XmlElement): (cell: XmlElement) => string {
  const shared = [...elements(parts.get('xl/sharedStrings.xml') ?? '', 'si')].map((si) => stringText(si.body));
  const dateStyles = dateStyleIndexes(parts.get('xl/styles.xml') ?? '');
  const epoch = ['1', 'true'].includes(attribute(workbookPr, 'date1904') ?? '') ? EPOCH_1904 : EPOCH_1900;
  return (cell) => {
    const type = attribute(cell, 't');
    if (type === 'inlineStr') return stringText(firstElement(cell.body, 'is').body);
    const value = cell.body === '' ? '' : decodeEntities(firstElement(cell.body, 'v').body);
    switch (type) {
      case 's':
        return shared[Number(value)] ?? '';
      case 'b':
        return value === '1' ? 'true' : 'false';
      case 'str':
      case 'e':
        return value;
      default: {
        if (value === '') return '';
        const number = Number(value);
        if (!dateStyles.has(Number(attribute(cell, 's') ?? -1))) return String(number);
        const iso = new Date(epoch + Math.round(number * MS_PER_DAY)).toISOString();
        return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
      }
    }
  };
}

/** Which cell styles (indexes into cellXfs) show a number as a date or a time. */
function dateStyleIndexes(styles: string): ReadonlySet<number> {
  const custom = new Map([...elements(firstElement(styles, 'numFmts').body, 'numFmt')].map((f) => [Number(attribute(f, 'numFmtId')), attribute(f, 'formatCode') ?? '']));
  const indexes = new Set<number>();
  [...elements(firstElement(styles, 'cellXfs').body, 'xf')].forEach((xf, i) => {
    const id = Number(attribute(xf, 'numFmtId') ?? 0);
    const code = custom.get(id);
    // A custom code is a date when it uses d, m, y, h or s outside quoted text and [colour] brackets.
    const isDate = code === undefined ? BUILT_IN_DATE_FORMATS.has(id) : /[dmyhs]/i.test(code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ''));
    if (isDate) indexes.add(i);
  });
  return indexes;
}
