import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineProgress } from './progress.js';

describe('lineProgress', () => {
  it('writes a line at the start, at most one per interval, and one at the end', () => {
    const lines: string[] = [];
    let clock = 0;
    const progress = lineProgress((l) => lines.push(l), 1000, () => clock);
    progress.start('staging files', 4);
    progress.advance();
    clock = 500;
    progress.advance();
    clock = 1500;
    progress.advance();
    progress.advance();
    progress.stop();
    assert.deepEqual(lines, ['staging files: 0/4 (0%)', 'staging files: 3/4 (75%)', 'staging files: 4/4 (100%)']);
  });
});
