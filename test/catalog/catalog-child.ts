// `node --import tsx catalog-child.ts '<json command>'`: one discoverer, stager or migrator in its own process, so
// that tests race real processes against one catalog, and can stall (SIGSTOP) or kill (SIGKILL) them.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { catalogLayout } from '../../src/catalog/catalog-layout.js';
import { migrateCatalog } from '../../src/catalog/catalog-migrations.js';
import { openCatalog } from '../../src/catalog/open-catalog.js';
import { openPostgresSession } from '../../src/catalog/postgres/postgres-session.js';
import type { AttemptOutcome } from '../../src/catalog/commit-attempts.js';
import { sourceFiles, stagedRow, TEST_PARAMETERS } from './catalog-fixtures.js';

type Command =
  | { cmd: 'migrate'; url: string; schema?: string }
  /** Offers sourceFiles(to, folder).slice(from), reversed if asked. */
  | { cmd: 'enqueue'; url: string; folder: string; from: number; to: number; reverse?: boolean; batch?: number }
  | { cmd: 'claim-all'; url: string; batch: number; lease: number }
  | { cmd: 'stall'; url: string; schema?: string; batch: number; lease: number }
  | { cmd: 'stage-loop'; url: string; dir: string; batch: number; lease: number; seed: number; dieOneIn: number };

const command = JSON.parse(process.argv[2]!) as Command;
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const stager = `child-${process.pid}`;

switch (command.cmd) {
  case 'migrate': {
    const session = await openPostgresSession(command.url);
    print(await migrateCatalog(session, catalogLayout(command.schema)));
    await session.close();
    break;
  }
  case 'enqueue': {
    const catalog = await openCatalog(command.url);
    const files = sourceFiles(command.to, command.folder).slice(command.from);
    print(await catalog.enqueue(command.reverse ? files.reverse() : files, command.batch));
    await catalog.close();
    break;
  }
  case 'claim-all': {
    // Says it is connected, waits for a line on stdin (the test starts every child at once), then claims until the
    // queue is empty, never committing: every version it prints is one this process held.
    const catalog = await openCatalog(command.url);
    print({ ready: true });
    for await (const _line of createInterface({ input: process.stdin })) break;
    process.stdin.destroy();
    const versions: number[] = [];
    for (;;) {
      const claim = await catalog.claim({ stager, batch: command.batch, leaseSeconds: command.lease });
      if (claim.versions.length === 0) break;
      versions.push(...claim.versions.map((v) => v.version));
    }
    print({ versions });
    await catalog.close();
    break;
  }
  case 'stall': {
    // Claims, says what, waits for a line on stdin (the test stops and resumes it meanwhile), then commits.
    const catalog = await openCatalog(command.url, command.schema === undefined ? {} : { schema: command.schema });
    const claim = await catalog.claim({ stager, batch: command.batch, leaseSeconds: command.lease });
    print({ versions: claim.versions });
    for await (const _line of createInterface({ input: process.stdin })) break;
    process.stdin.destroy();
    const outcomes = claim.versions.map((v): AttemptOutcome => ({ kind: 'staged', attempt: v, row: stagedRow(v) }));
    print({ results: await catalog.commit(outcomes, TEST_PARAMETERS) });
    await catalog.close();
    break;
  }
  case 'stage-loop':
    await stageLoop(command);
    break;
}

/**
 * A stager that writes each attempt's data file under `dir` and commits per batch, until nothing is left; once in
 * `dieOneIn` batches (seeded) it kills itself with SIGKILL, before or after writing, as a crash would.
 */
async function stageLoop({ url, dir, batch, lease, seed, dieOneIn }: Extract<Command, { cmd: 'stage-loop' }>): Promise<void> {
  let state = seed >>> 0 || 1;
  const random = () => ((state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
  const catalog = await openCatalog(url);
  const die = () => process.kill(process.pid, 'SIGKILL');
  for (;;) {
    const claim = await catalog.claim({ stager, batch, leaseSeconds: lease, maxAttempts: 50 });
    if (claim.versions.length === 0) {
      const status = await catalog.status();
      if (status.queued + status.claimed + status.expired === 0) break;
      await sleep(50);
      continue;
    }
    const fate = random() < 1 / dieOneIn ? random() : 1;
    if (fate < 0.3) die();
    const outcomes: AttemptOutcome[] = [];
    for (const [i, v] of claim.versions.entries()) {
      const row = stagedRow(v);
      const file = path.join(dir, ...row.path.split('/'));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${v.sourceFile} ${v.attemptId}\n`);
      if (fate < 0.6 && i === Math.floor(claim.versions.length / 2)) die();
      outcomes.push({ kind: 'staged', attempt: v, row });
    }
    if (fate < 1) die();
    const results = await catalog.commit(outcomes, TEST_PARAMETERS);
    print({ committed: results.filter((r) => r.kind === 'committed').length, refused: results.filter((r) => r.kind === 'refused').length });
  }
  print({ done: true, roundTrips: catalog.roundTrips() });
  await catalog.close();
}
