import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { scanCsv } from './scan-csv.js';

const MB = 1024 * 1024;

function fileOf(bytes: Buffer): string {
  const file = path.join(tempDir(), 'x.csv');
  writeFileSync(file, bytes);
  return file;
}

/** A CSV whose bytes put `character` across the 1 MB boundary where the scan reads its next chunk, by `before` bytes. */
function straddling(character: string, before: number): Buffer {
  const head = 'a,b\n';
  const row = 'xxxxxxxxx,yyyyyyyyy\n';
  const rows = Math.floor((MB - head.length - 10) / row.length);
  const filler = `${head}${row.repeat(rows)}`;
  const pad = 'z'.repeat(MB - Buffer.byteLength(filler) - before - 2);
  return Buffer.from(`${filler}${pad},${character}\n1,2\n`);
}

describe('scanning a landed CSV', () => {
  it('reads a character of 2, 3 or 4 bytes cut by the end of a chunk, at every place it can be cut', async () => {
    for (const character of ['é', '€', '😀']) {
      for (let before = 0; before < Buffer.byteLength(character); before += 1) {
        const scan = await scanCsv(fileOf(straddling(character, before)), 2);
        assert.equal(scan.ok, true, `${character} with ${before} bytes before the cut: ${scan.ok ? '' : scan.reason}`);
      }
    }
  });

  it('names the line and byte offset of a byte that is not UTF-8, past the first chunk', async () => {
    const good = 'a,b\n' + '1,2\n'.repeat(300_000);
    const bytes = Buffer.concat([Buffer.from(good), Buffer.from('3,F'), Buffer.from([0xe9]), Buffer.from('lix\n')]);
    const scan = await scanCsv(fileOf(bytes), 2);
    assert.deepEqual(scan, { ok: false, reason: `line 300002, byte offset ${good.length + 3}: byte 0xE9 is not UTF-8 (Latin-1 or Windows-1252?); save the file as UTF-8` });
  });

  it('counts records as csv-parse did and finds the long ones: empty lines are none, a quoted line break is inside one', async () => {
    const scan = await scanCsv(fileOf(Buffer.from('\ufeffa,b\r\n\r\n1,"x\r\ny"\r\n2,3,4\r\n,\r\n"",\r\n5')), 2);
    assert.deepEqual(scan, { ok: true, records: 6, longRows: [{ row: 3, cells: 3 }], newLine: '\r\n', quotedNewLines: true, longestRecordBytes: 8 });
  });
});
