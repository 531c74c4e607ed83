import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { runCli } from '../../test/support/run-cli.js';
import { dateOption } from './parse-option.js';

describe('the --date flag', () => {
  it('accepts a day that exists and refuses one that does not, such as 2001-02-30', () => {
    assert.equal(dateOption('2024-02-29'), '2024-02-29');
    assert.throws(() => dateOption('2001-02-30'), InvalidArgumentError);
    assert.throws(() => dateOption('2023-02-29'), InvalidArgumentError);
  });

  it('makes `export-metadata --date 2001-02-30` a usage error (exit 2) naming the value', async () => {
    const run = await runCli(['export-metadata', '--date', '2001-02-30']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /2001-02-30/);
  });
});
