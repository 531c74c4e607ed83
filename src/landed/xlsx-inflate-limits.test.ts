import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import yazl from 'yazl';
import { buffer } from 'node:stream/consumers';
import { tempDir } from '../../test/support/temp-dir.js';
import { citizensRulesYaml, writeCsv } from '../../test/load/load-fixtures.js';
import { parseDatasetRules } from './dataset-rules.js';
import type { LandedLog, ValidationLogEntry } from './landed-log.js';
import { validateFiles } from './validate-file.js';
import { readLandedFile } from './read-landed-file.js';

const WORKBOOK = '<workbook><sheets><sheet name="data" r:id="rId1"/></sheets></workbook>';
const RELS = '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>';
const HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>citizen_id</t></is></c></row>';

/** A workbook whose sheet is `sheet` (the XML around the rows added), as a zip in memory. */
async function workbookBytes(sheetBody: Buffer): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(WORKBOOK), 'xl/workbook.xml');
  zip.addBuffer(Buffer.from(RELS), 'xl/_rels/workbook.xml.rels');
  zip.addBuffer(Buffer.concat([Buffer.from(`<worksheet><sheetData>${HEADER_ROW}`), sheetBody, Buffer.from('</sheetData></worksheet>')]), 'xl/worksheets/sheet1.xml');
  zip.end();
  return buffer(zip.outputStream);
}

/** The zip with the uncompressed size its central directory declares for `name` replaced: a forged header. */
function declaringSize(zip: Buffer, name: string, uncompressed: number): Buffer {
  const forged = Buffer.from(zip);
  for (let at = forged.indexOf('PK\u0001\u0002'); at >= 0; at = forged.indexOf('PK\u0001\u0002', at + 4)) {
    const nameLength = forged.readUInt16LE(at + 28);
    if (forged.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      forged.writeUInt32LE(uncompressed, at + 24);
      return forged;
    }
  }
  throw new Error(`no entry ${name}`);
}

async function readBook(bytes: Buffer) {
  const file = path.join(tempDir(), 'people_2024-01.xlsx');
  writeFileSync(file, bytes);
  const read = await readLandedFile(file);
  if (read.ok) read.table.close();
  return read;
}

describe('inflating an .xlsx workbook', () => {
  it('refuses a zip bomb, a large part that inflates more than 200 times, before inflating it', async () => {
    const bomb = await workbookBytes(Buffer.alloc(64 * 1024 * 1024, '<row/>'));
    const before = process.memoryUsage().rss;
    const read = await readBook(bomb);
    assert.deepEqual(read.ok ? 'read' : read.reason.replace(/\(\d+ times\)/, '(N times)'), 'people_2024-01.xlsx cannot be read: its part "xl/worksheets/sheet1.xml" inflates from 0.1 MB to 64.0 MB (N times), more than the 200 times of any real workbook: a zip bomb, refused unread');
    assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024, 'the part was not inflated');
  });

  it('refuses a workbook whose parts declare more than 128 MB together, and one whose part inflates past what it declares', async () => {
    const plain = await workbookBytes(Buffer.from('<row r="2"><c r="A2"><v>1</v></c></row>'.repeat(50_000)));
    const huge = await readBook(declaringSize(plain, 'xl/worksheets/sheet1.xml', 3 * 1024 ** 3));
    assert.match(huge.ok ? '' : huge.reason, /people_2024-01\.xlsx cannot be read: its part "xl\/worksheets\/sheet1\.xml" would bring the workbook's XML to 3072\.0 MB, more than the 128\.0 MB strata reads of one workbook; refused unread$/);
    const lying = await readBook(declaringSize(plain, 'xl/worksheets/sheet1.xml', 1000));
    assert.match(lying.ok ? '' : lying.reason, /its part "xl\/worksheets\/sheet1\.xml" inflates past the 1000 bytes the zip declares for it: a forged or corrupt workbook, refused$/);
    const unforged = await readBook(plain);
    assert.equal(unforged.ok || unforged.reason, true, 'the same workbook, unforged, reads');
  });

  it('lets validate refuse the bomb with its sentence and go on with the next file', async () => {
    const dir = tempDir();
    const yaml = citizensRulesYaml('people') as { datasets: { people: Record<string, unknown> } };
    const rules = parseDatasetRules(yaml, path.join(dir, 'datasets.yml'));
    mkdirSync(path.join(dir, 'landed'));
    const bomb = path.join(dir, 'landed', 'people_2024-01.xlsx');
    writeFileSync(bomb, await workbookBytes(Buffer.alloc(64 * 1024 * 1024, '<row/>')));
    const good = path.join(dir, 'landed', 'people_2024-02.csv');
    writeCsv(good, ['citizen_id,first_name,birth_date,income', '1,Ana,2000-02-29,1.5']);
    const log: LandedLog = { logIngestion: async () => {}, logValidation: async () => {} };
    const outcomes: ValidationLogEntry[] = await validateFiles([bomb, good], { rules, dataRoot: dir, log });
    assert.deepEqual(outcomes.map((o) => o.status), ['refused', 'ok']);
    assert.match(outcomes[0]?.reason ?? '', /a zip bomb, refused unread/);
  });
});
