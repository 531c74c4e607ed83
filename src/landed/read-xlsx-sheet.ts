// One sheet of an .xlsx workbook as rows of text, as a CSV would hold them; merged cells and formulas refused.
import path from 'node:path';
import { attribute, child, children, readXmlParts, textOf, type XmlNode } from './xlsx-parts.js';

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
  const workbook = child(parts.get('xl/workbook.xml'), 'workbook');
  const sheets = children(child(workbook, 'sheets'), 'sheet');
  const sheet = sheetName === undefined ? sheets[0] : sheets.find((s) => attribute(s, 'name') === sheetName);
  if (!sheet) {
    const names = sheets.map((s) => `'${attribute(s, 'name')}'`).join(', ');
    return { ok: false, reason: sheetName === undefined ? 'the workbook has no sheet' : `the workbook has no sheet '${sheetName}' (it has ${names})` };
  }
  const name = attribute(sheet, 'name') ?? '';
  const relations = children(child(parts.get('xl/_rels/workbook.xml.rels'), 'Relationships'), 'Relationship');
  const target = attribute(relations.find((r) => attribute(r, 'Id') === attribute(sheet, 'id')) ?? {}, 'Target') ?? '';
  const sheetPath = target.startsWith('/') ? target.slice(1) : path.posix.join('xl', target);
  const worksheet = child(parts.get(sheetPath), 'worksheet');
  const label = `sheet '${name}'`;
  const merges = children(child(worksheet, 'mergeCells'), 'mergeCell').map((m) => attribute(m, 'ref'));
  if (merges.length > 0) return { ok: false, reason: `${label} has merged cells (${merges.join(', ')}); unmerge them so every cell holds its own value` };
  const read = cellReader(parts, child(workbook, 'workbookPr'));
  const rows: SheetRow[] = [];
  for (const row of children(child(worksheet, 'sheetData'), 'row')) {
    const cells: string[] = [];
    for (const [i, cell] of children(row, 'c').entries()) {
      const ref = attribute(cell, 'r');
      const formula = cell['f'];
      if (formula !== undefined) return { ok: false, reason: `${label}, cell ${ref} (=${textOf(formula)}), holds a formula; save the sheet with values only` };
      cells[ref === undefined ? i : columnIndex(ref)] = read(cell);
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
function cellReader(parts: ReadonlyMap<string, XmlNode>, workbookPr: XmlNode): (cell: XmlNode) => string {
  const shared = children(child(parts.get('xl/sharedStrings.xml'), 'sst'), 'si').map(stringItem);
  const dateStyles = dateStyleIndexes(child(parts.get('xl/styles.xml'), 'styleSheet'));
  const epoch = ['1', 'true'].includes(attribute(workbookPr, 'date1904') ?? '') ? EPOCH_1904 : EPOCH_1900;
  return (cell) => {
    const value = textOf(cell['v']);
    switch (attribute(cell, 't')) {
      case 's':
        return shared[Number(value)] ?? '';
      case 'inlineStr':
        return stringItem(child(cell, 'is'));
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

/** `<si><t>x</t></si>` or rich text `<si><r><t>x</t></r><r><t>y</t></r></si>`. */
function stringItem(item: XmlNode): string {
  const runs = children(item, 'r');
  return runs.length > 0 ? runs.map((r) => textOf(r['t'])).join('') : textOf(item['t']);
}

/** Which cell styles (indexes into cellXfs) show a number as a date or a time. */
function dateStyleIndexes(styles: XmlNode): ReadonlySet<number> {
  const custom = new Map(children(child(styles, 'numFmts'), 'numFmt').map((f) => [Number(attribute(f, 'numFmtId')), attribute(f, 'formatCode') ?? '']));
  const indexes = new Set<number>();
  children(child(styles, 'cellXfs'), 'xf').forEach((xf, i) => {
    const id = Number(attribute(xf, 'numFmtId') ?? 0);
    const code = custom.get(id);
    // A custom code is a date when it uses d, m, y, h or s outside quoted text and [colour] brackets.
    const isDate = code === undefined ? BUILT_IN_DATE_FORMATS.has(id) : /[dmyhs]/i.test(code.replace(/"[^"]*"|\[[^\]]*\]|\\./g, ''));
    if (isDate) indexes.add(i);
  });
  return indexes;
}
