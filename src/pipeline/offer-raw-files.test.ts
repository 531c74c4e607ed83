import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Catalog } from '../catalog/open-catalog.js';
import type { SourceFileVersion } from '../catalog/source-queue.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { offerRawFiles } from './offer-raw-files.js';

/** The one call a discoverer makes, recorded in order with what else ran; each takes a round trip of 2 ms. */
function recordingCatalog(events: string[]): Catalog {
  const known = new Set<string>();
  const enqueue = async (versions: Iterable<SourceFileVersion>) => {
    const offered = [...versions];
    events.push(`enqueue ${offered.length}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
    let queued = 0;
    for (const v of offered) {
      const key = `${v.sourceFile}|${v.size}|${v.mtimeMs}`;
      if (!known.has(key)) queued++;
      known.add(key);
    }
    return { offered: offered.length, queued };
  };
  return { enqueue } as unknown as Catalog;
}

describe('offerRawFiles', () => {
  it('offers a large root a thousand files at a time, letting other work run between statements, and a file once', async () => {
    const root = tempDir();
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (let d = 0; d < 5; d++) {
      const folder = path.join(root, `2025-09-0${d + 1}`);
      mkdirSync(folder);
      for (let i = 0; i < 500; i++) {
        const file = path.join(folder, `IVg2025-09-0${d + 1}_${i}.csv`);
        writeFileSync(file, `${d},${i}\n`);
        utimesSync(file, hourAgo, hourAgo);
      }
    }
    const late = path.join(root, '2025-09-05', 'It2025-09-05_1.csv');
    writeFileSync(late, 'still being written\n');
    const events: string[] = [];
    const offers = offerRawFiles(recordingCatalog(events), { rawRoot: root, settleSeconds: 60, inFlightPrefixes: [] });
    // What a stager does meanwhile: it must get a turn while the walk goes on, not only once it has ended.
    let turns = 0;
    const stager = setInterval(() => events.push(`stager turn ${++turns}`), 1);
    const first = await offers.pass(Date.now());
    clearInterval(stager);
    assert.equal(first.queued, 2_500);
    assert.deepEqual(first.unsettled.map((f) => f.absPath), [late], 'a file modified within the settle window waits');
    const statements = events.filter((e) => e.startsWith('enqueue'));
    assert.deepEqual(statements, ['enqueue 1000', 'enqueue 1000', 'enqueue 500']);
    const between = events.slice(events.indexOf('enqueue 1000'), events.lastIndexOf('enqueue 500'));
    assert.ok(between.some((e) => e.startsWith('stager')), `the walk let other work run between its statements: ${events.join(', ')}`);
    events.length = 0;
    const again = await offers.pass(Date.now() + 120_000);
    assert.deepEqual(events, ['enqueue 1'], 'only the file that has settled since is offered again');
    assert.equal(again.queued, 1);
  });
});
