import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { castHeaderValue } from './header-value.js';
import { isLandedNull, isNullWord, isOutOfDoubleRange, wholeNumber, yesNo } from './cell-words.js';
import { parseDataTable } from './data-table.js';
import { rowCaster } from '../landed/cast-cells.js';
import { parseDatasetRules } from '../landed/dataset-rules.js';

describe('the words of a cell', () => {
  it('reads yes and no in the spellings people and Python write, without case or spaces', () => {
    for (const word of ['1', 'true', 'TRUE', ' Yes ', 'on']) assert.equal(yesNo(word), true, word);
    for (const word of ['0', 'False', 'no', 'OFF']) assert.equal(yesNo(word), false, word);
  });

  it('does not read single letters as yes or no: a header `t` or `n` is a mistake to report, not a boolean', () => {
    for (const word of ['y', 't', 'n', 'f', 'si', '']) assert.equal(yesNo(word), undefined, word);
    assert.deepEqual(castHeaderValue('t', 'bool', 'UTC'), { ok: false, expected: 'yes/no, true/false, on/off or 1/0' });
  });

  it('says "no value" for empty cells, NaN spellings and Python None', () => {
    for (const word of ['', '  ', 'nan', 'NaN', '-nan', '+nan', 'None', 'none']) assert.equal(isNullWord(word), true, JSON.stringify(word));
    for (const word of ['0', 'null?', 'n/a-ish', 'Nonetheless']) assert.equal(isNullWord(word), false, word);
  });

  it('means the same in a header value and in a landed file', () => {
    const [dataset] = parseDatasetRules(
      { datasets: { flags: { file_pattern: '^f_(?<period>\\d{4})\\.csv$', table: 'flags', required_headers: ['on'], columns: { on: 'bool' } } } },
      'datasets.yml',
    ).datasets;
    const cast = rowCaster(dataset!, ['on']);
    for (const word of ['on', 'off', 'YES', '0', 't', 'n']) {
      const header = castHeaderValue(word, 'bool', 'UTC');
      const landed = cast(2, [word]);
      const landedValue = (landed as { readonly cells?: readonly (string | null)[] }).cells?.[0];
      assert.equal(header.ok ? String(header.value) : undefined, landedValue, word);
    }
  });

  it('holds a whole number when a 64-bit integer does, 19 digits included, and says when one is too large', () => {
    assert.deepEqual(wholeNumber('1234567890123456789'), { ok: true, value: 1234567890123456789n });
    assert.deepEqual(wholeNumber('-9223372036854775808'), { ok: true, value: -(2n ** 63n) });
    assert.deepEqual(wholeNumber('+0042'), { ok: true, value: 42n });
    assert.deepEqual(wholeNumber('9223372036854775808'), { ok: false, outOfRange: true });
    for (const text of ['1.5', '1e3', '0x10', '', ' 1']) assert.deepEqual(wholeNumber(text), { ok: false, outOfRange: false }, text);
  });

  it('knows a decimal that no double holds from one it rounds: 1e400 and 1e-400 are lost, 4.9e-324 and inf are not', () => {
    for (const text of ['1e400', '-1e400', '1e-400', '0.0001e-400', '.5e-330']) assert.equal(isOutOfDoubleRange(text, Number(text)), true, text);
    for (const text of ['0', '0.0e-400', '4.9e-324', '1.7976931348623157e308', '0.1']) assert.equal(isOutOfDoubleRange(text, Number(text)), false, text);
    assert.equal(isOutOfDoubleRange('inf', Infinity), false);
  });

  it('reads a 19-digit whole number the same in a raw table and in a landed file', () => {
    const text = '1234567890123456789';
    const raw = parseDataTable(Buffer.from(`${text}\n`), { start: 0, firstLine: 1, fieldCount: 1, columns: [{ sourceIndex: 0, type: 'int' }], zone: 'UTC' });
    assert.ok(raw.ok);
    const [column] = raw.table.columns;
    assert.ok(column?.kind === 'int64');
    const landed = landedCaster('int')(2, [text]);
    assert.ok(landed.ok);
    assert.equal(String(column.values[0]), landed.cells[0]);
  });

  it('refuses 1e400 and 1e-400 in a landed number column, as a raw table stores them as null with a warning', () => {
    for (const text of ['1e400', '1e-400']) {
      const landed = landedCaster('float')(2, [text]);
      assert.ok(!landed.ok && landed.issues[0]?.reason === 'number out of the 64-bit float range', text);
      const raw = parseDataTable(Buffer.from(`${text}\n`), { start: 0, firstLine: 1, fieldCount: 1, columns: [{ sourceIndex: 0, type: 'float' }], zone: 'UTC' });
      assert.ok(raw.ok && raw.table.outOfRange.length === 1, text);
    }
  });

  it('says "no value" by the kind of file, on purpose: nan and None are no value in an instrument file, and in a landed file an error or text', () => {
    for (const word of ['nan', 'None']) {
      assert.equal(isNullWord(word), true);
      assert.equal(isLandedNull(word), false);
      const number = landedCaster('float')(2, [word]);
      assert.ok(!number.ok && number.issues[0]?.reason === 'expected a number', word);
      const text = landedCaster('str')(2, [word]);
      assert.ok(text.ok && text.cells[0] === word, word);
    }
    assert.equal(isLandedNull(''), true);
    const empty = landedCaster('float')(2, ['']);
    assert.ok(empty.ok && empty.cells[0] === null);
  });
});

/** A landed dataset of one column `v` of `type`, cast as `validate` casts it. */
function landedCaster(type: 'int' | 'float' | 'str') {
  const [dataset] = parseDatasetRules(
    { datasets: { one: { file_pattern: '^f_(?<period>\\d{4})\\.csv$', table: 'one', required_headers: ['v'], columns: { v: type } } } },
    'datasets.yml',
  ).datasets;
  return rowCaster(dataset!, ['v']);
}
