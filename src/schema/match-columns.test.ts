import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchColumns } from './match-columns.js';
import type { DataColumnSpec } from './procedures-schema.js';

const spec = (name: string, extra: Partial<DataColumnSpec> = {}): DataColumnSpec => ({
  name,
  type: 'float',
  required: false,
  header: undefined,
  synonyms: [],
  ...extra,
});
const SPECS = [
  spec('vsd_v', { required: true, header: 'Vsd (V)', synonyms: ['vd', 'vds'] }),
  spec('i_a', { required: true, header: 'I (A)', synonyms: ['i', 'id', 'ids_a', 'current'] }),
  spec('vg_v'),
];

describe('matchColumns', () => {
  it('matches names equal after normalising case, spaces and punctuation', () => {
    const { columns } = matchColumns(['VSD(V)', 'i (a)'], SPECS, () => 'float');
    assert.deepEqual(columns.map((c) => [c.name, c.tier]), [['vsd_v', 'exact'], ['i_a', 'exact']]);
  });

  it('matches synonyms, with or without a unit in brackets', () => {
    const { columns } = matchColumns(['Vds (V)', 'Id (A)', 'current'], SPECS, () => 'float');
    assert.deepEqual(columns.map((c) => [c.source, c.name, c.tier]), [
      ['Vds (V)', 'vsd_v', 'synonym'],
      ['Id (A)', 'i_a', 'synonym'],
      ['current', 'current', 'unknown'],
    ]);
  });

  it('falls back to the upper-case base name', () => {
    const { columns } = matchColumns(['VG [mV]'], SPECS, () => 'float');
    assert.deepEqual(columns.map((c) => [c.name, c.tier]), [['vg_v', 'uppercase']]);
  });

  it('keeps unknown columns under a snake_case name with the inferred type, and lists missing required ones', () => {
    const { columns, missingRequired } = matchColumns(['Power (mW)', 'Note'], SPECS, (i) => (i === 0 ? 'float' : 'str'));
    assert.deepEqual(columns.map((c) => [c.name, c.type, c.tier]), [['power_mw', 'float', 'unknown'], ['note', 'str', 'unknown']]);
    assert.deepEqual(missingRequired, ['vsd_v', 'i_a']);
  });
});
