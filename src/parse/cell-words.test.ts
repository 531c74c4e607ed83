import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { castHeaderValue } from './header-value.js';
import { isNullWord, yesNo } from './cell-words.js';
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
});
