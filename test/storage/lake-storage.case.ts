// The storage suite, written once and run against every implementation (a folder, S3) by its own test file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { StrataError } from '../../src/errors.js';
import type { LakeStorage, StoredObject } from '../../src/storage/lake-storage.js';

export interface LakeStorageTarget {
  /** A fresh, empty location for one test. */
  freshLocation(): string;
  open(location: string): Promise<LakeStorage>;
  /** The environment a child process needs to open the same locations. */
  childEnvironment(): NodeJS.ProcessEnv;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'put-if-absent-child.ts');
const RUN = 'proc=It/date=2024-01-01/run_id=It-20240101-1200-a1b2c3d4/part-000.parquet';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array | null) => (body === null ? null : new TextDecoder().decode(body));
const sha1 = (body: Uint8Array) => createHash('sha1').update(body).digest('hex');

/** `size` bytes of one pattern, different for each seed, so that any mix of two bodies differs from both. */
function patterned(size: number, seed: number): Uint8Array {
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + seed * 97 + (i >>> 12)) & 0xff;
  return body;
}

async function collect(objects: AsyncIterable<StoredObject>): Promise<StoredObject[]> {
  const all: StoredObject[] = [];
  for await (const object of objects) all.push(object);
  return all;
}

/** Runs `work` over `items` with at most `width` at once. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

export function registerLakeStorageSuite(title: string, target: LakeStorageTarget, options: { skip?: string | false } = {}): void {
  describe(title, { skip: options.skip ?? false }, () => {
    const fresh = () => target.open(target.freshLocation());

    it('put writes an object that get reads back byte for byte, and a second put replaces it', async () => {
      const storage = await fresh();
      await storage.put(RUN, bytes('first'));
      assert.equal(text(await storage.get(RUN)), 'first');
      await storage.put(RUN, bytes('second, longer'));
      assert.equal(text(await storage.get(RUN)), 'second, longer');
    });

    it('head gives the size, a recent last-modified and a tag that changes when the object is replaced', async () => {
      const storage = await fresh();
      const before = Date.now();
      await storage.put(RUN, bytes('12345'));
      const first = await storage.head(RUN);
      assert.ok(first !== null);
      assert.equal(first.size, 5);
      // S3 gives last-modified to the second; the clocks of the test and a local server agree within a minute.
      assert.ok(Math.abs(first.modified.getTime() - before) < 60_000, `${first.modified.toISOString()} is far from now`);
      assert.ok(first.etag.length > 0);
      await storage.put(RUN, bytes('67890'));
      const second = await storage.head(RUN);
      assert.equal(second?.size, 5);
      assert.notEqual(second?.etag, first.etag);
    });

    it('get and head of a missing object are null, and deleting it is no error', async () => {
      const storage = await fresh();
      assert.equal(await storage.get(RUN), null);
      assert.equal(await storage.head(RUN), null);
      await storage.delete(RUN);
      assert.equal(await storage.deleteMany([RUN, 'proc=It/nothing.parquet']), 2);
    });

    it('a reader never sees a partial object: reads during large puts find the old object or the new one, whole', async () => {
      const storage = await fresh();
      const size = 16 << 20;
      const bodies = [patterned(size, 1), patterned(size, 2)];
      const known = new Set(bodies.map(sha1));
      await storage.put(RUN, bodies[0]!);
      let writing = true;
      const seen = new Map<string, number>();
      const reader = async () => {
        while (writing) {
          const body = await storage.get(RUN);
          assert.ok(body !== null, 'the object vanished during a put');
          const digest = sha1(body);
          assert.ok(known.has(digest), `a read saw ${body.length} bytes that are neither body (a partial or mixed object)`);
          seen.set(digest, (seen.get(digest) ?? 0) + 1);
        }
      };
      const writer = async () => {
        for (let round = 0; round < 6; round++) await storage.put(RUN, bodies[(round + 1) % 2]!);
        writing = false;
      };
      await Promise.all([writer(), reader(), reader()]);
      assert.ok([...seen.values()].reduce((a, b) => a + b, 0) >= 2, 'the readers read too little to tell');
    });

    it('putIfAbsent writes when nothing is there and leaves an existing object exactly as it was', async () => {
      const storage = await fresh();
      assert.deepEqual(await storage.putIfAbsent(RUN, bytes('the first writer')), { kind: 'written' });
      assert.deepEqual(await storage.putIfAbsent(RUN, bytes('a second writer')), { kind: 'exists' });
      assert.equal(text(await storage.get(RUN)), 'the first writer');
      assert.deepEqual(await collect(storage.list()).then((all) => all.map((o) => o.path)), [RUN]);
    });

    it('putIfAbsent from several processes at once: for each path exactly one wins, and its body is the one stored', async () => {
      const location = target.freshLocation();
      const storage = await target.open(location);
      const paths = Array.from({ length: 8 }, (_, i) => `proc=It/date=2024-01-01/run_id=race-${i}/part-000.parquet`);
      const writers = 5;
      const children = Array.from({ length: writers }, (_, i) =>
        spawn(process.execPath, ['--import', 'tsx', CHILD, location, JSON.stringify(paths), `writer-${i}`], {
          env: target.childEnvironment(),
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      );
      const outputs = children.map((child) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        const ready = new Promise<void>((resolve, reject) => {
          const check = () => (out.startsWith('ready\n') ? resolve() : undefined);
          child.stdout.on('data', check);
          child.once('exit', (code) => reject(new Error(`a writer exited (${code}) before it was ready: ${err}`)));
        });
        const done = new Promise<string[]>((resolve, reject) =>
          child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as string[]) : reject(new Error(`a writer failed (${code}): ${err}`)))),
        );
        return { ready, done };
      });
      await Promise.all(outputs.map((o) => o.ready));
      for (const child of children) child.stdin.end('go\n');
      const outcomes = await Promise.all(outputs.map((o) => o.done));
      for (const [i, p] of paths.entries()) {
        const winners = outcomes.flatMap((o, writer) => (o[i] === 'written' ? [writer] : []));
        assert.equal(winners.length, 1, `${p}: ${winners.length} writers were told they wrote it (${outcomes.map((o) => o[i]).join(', ')})`);
        assert.equal(text(await storage.get(p)), `writer-${winners[0]}`);
      }
    });

    describe('more objects than one page of a listing (1,100)', () => {
      let storage: LakeStorage;
      const many = Array.from({ length: 1_100 }, (_, i) => `proc=It/date=2024-01-${String((i % 28) + 1).padStart(2, '0')}/run_id=r${String(i).padStart(4, '0')}/part-000.parquet`);

      it('list yields every object below a prefix across pages, with its size, and nothing outside the prefix', async () => {
        storage = await fresh();
        await inParallel(many, 16, (p) => storage.put(p, bytes(p.slice(-30))));
        await storage.put('proc=IVg/date=2024-01-01/run_id=x/part-000.parquet', bytes('another procedure'));
        await storage.put('proc=It-like/date=2024-01-01/run_id=x/part-000.parquet', bytes('a name that starts the same'));
        const listed = await collect(storage.list('proc=It/'));
        assert.equal(listed.length, many.length);
        assert.deepEqual(listed.map((o) => o.path).sort(), [...many].sort());
        for (const object of listed) assert.equal(object.size, 30);
        assert.equal((await collect(storage.list())).length, many.length + 2);
      });

      it('a prefix may end mid-name: proc=It/date=2024-01-1 lists the 10th to the 19th of January only', async () => {
        const listed = await collect(storage.list('proc=It/date=2024-01-1'));
        const expected = many.filter((p) => p.startsWith('proc=It/date=2024-01-1'));
        assert.ok(expected.length > 0);
        assert.deepEqual(listed.map((o) => o.path).sort(), expected.sort());
      });

      it('deleteMany removes every path it is given, streamed, more than one request holds, and leaves the others', async () => {
        const paths = (async function* () {
          for (const p of many) yield p;
        })();
        assert.equal(await storage.deleteMany(paths), many.length);
        assert.deepEqual((await collect(storage.list())).map((o) => o.path).sort(), [
          'proc=IVg/date=2024-01-01/run_id=x/part-000.parquet',
          'proc=It-like/date=2024-01-01/run_id=x/part-000.parquet',
        ]);
      });
    });

    it('delete removes one object and leaves its neighbours', async () => {
      const storage = await fresh();
      const neighbour = RUN.replace('part-000', 'part-001');
      await storage.put(RUN, bytes('a'));
      await storage.put(neighbour, bytes('b'));
      await storage.delete(RUN);
      assert.equal(await storage.get(RUN), null);
      assert.equal(text(await storage.get(neighbour)), 'b');
    });

    it('a path that would leave the location, or is not one, is refused with a sentence naming it', async () => {
      const storage = await fresh();
      for (const bad of ['../outside.parquet', 'proc=It/../../x', '/etc/passwd', 'a//b', 'a/./b', '', 'a/b\\c', 'tab\there']) {
        await assert.rejects(storage.put(bad, bytes('x')), (error: unknown) => error instanceof StrataError && error.code === 'usage' && error.message.includes(storage.location), bad);
      }
      await assert.rejects(collect(storage.list('../')), StrataError);
    });
  });
}
