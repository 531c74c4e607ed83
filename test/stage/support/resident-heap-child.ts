// A child of resident-memory.test.ts (V8's flags are the whole process's): stages a few files with a session's
// warm workers, resident or not, then allocates as a busy stager's main thread does (objects that survive a few
// collections) and prints the size of this thread's young generation before and after. With a writer, a resident
// session then writes a Parquet file on a writer thread (as a big file is), which holds the heaps again or not.
import { closeSync, openSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { walkRawFiles } from '../../../src/discover/discover-raw-files.js';
import { openStageSession } from '../../../src/pipeline/stage-raw-files.js';
import { startRowGroupWriter } from '../../../src/pipeline/row-group-writer.js';
import { lakeConfig } from '../../support/stage-lake.js';

export type ChildMode = 'resident' | 'one-shot' | 'resident, held writer' | 'resident, unheld writer';

const [rawRoot, lakeRoot, mode] = process.argv.slice(2) as [string, string, ChildMode];
const config = lakeConfig(rawRoot, lakeRoot);
const session = await openStageSession(config, { resident: mode !== 'one-shot' });
const pass = await session.pass(walkRawFiles(rawRoot));
if (mode.endsWith('writer')) {
  const fd = openSync('/dev/null', 'w');
  const writer = startRowGroupWriter({
    fd, tableColumns: [{ sourceIndex: 0, type: 'float' }], layout: [{ name: 'x', tableColumn: 0 }], rowGroupRows: 1_000, timeIndex: 0,
    resident: mode === 'resident, held writer',
  });
  writer.addPiece({ rows: 2, lineFeeds: 2, columns: [{ kind: 'double', values: new Float64Array([1, 2]), valid: null }], misfits: [], outOfRange: [] });
  await writer.finish();
  await writer.close();
  closeSync(fd);
}
const youngMb = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size / 2 ** 20;
const beforeMb = youngMb();
let held: { i: number; text: string }[] = [];
for (let i = 0; i < 6_000_000; i++) {
  held.push({ i, text: `run ${i}` });
  if (held.length > 200_000) held = [];
}
const afterMb = youngMb();
await session.close();
console.log(JSON.stringify({ staged: pass.ok, beforeMb, afterMb }));
