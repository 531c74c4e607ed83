// The storage suite on S3 (a local server: `npm run dev:s3`), then what only S3 does: the server's conditional write
// that putIfAbsent stands on, and the sentences a scientist reads when the bucket, the keys or the server are wrong.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { StrataError } from '../../src/errors.js';
import { openLakeStorage } from '../../src/storage/open-lake-storage.js';
import { S3Bucket, contentMd5 } from '../../src/storage/s3/s3-requests.js';
import type { S3Settings } from '../../src/storage/s3/s3-settings.js';
import { registerLakeStorageSuite } from './lake-storage.case.js';
import { s3ChildEnvironment, scratchBucket, skipWithoutS3 } from './s3-fixtures.js';

const skip = await skipWithoutS3();

describe('a lake on S3', { skip }, () => {
  const bucket = scratchBucket();
  registerLakeStorageSuite('the storage suite', {
    freshLocation: () => bucket.freshLocation(),
    open: (location) => openLakeStorage(location, { s3: bucket.settings }),
    childEnvironment: () => s3ChildEnvironment(bucket.settings),
  });

  describe('on its own', () => {
    it('the server answers a PUT with If-None-Match: * on an existing key 412 and keeps the object (what putIfAbsent relies on)', async () => {
      const s3 = new S3Bucket(`s3://${bucket.name}`, bucket.name, bucket.settings);
      const put = (body: string) =>
        s3.send({ method: 'PUT', key: 'conditional/key', headers: { 'If-None-Match': '*', 'Content-MD5': contentMd5(body) }, body, what: 'writing' });
      const first = await put('first');
      await first.body?.cancel();
      assert.equal(first.status, 200);
      const second = await put('second');
      await second.body?.cancel();
      assert.equal(second.status, 412);
      const read = await s3.send({ method: 'GET', key: 'conditional/key', what: 'reading' });
      assert.equal(await read.text(), 'first');
    });

    it('paths are keys below the prefix, so the bucket holds the layout as a folder would: s3://bucket/prefix/proc=It/...', async () => {
      const location = bucket.freshLocation('layout');
      const storage = await openLakeStorage(location, { s3: bucket.settings });
      await storage.put('proc=It/date=2024-01-01/run_id=r1/part-000.parquet', new Uint8Array([1]));
      const whole = await openLakeStorage(`s3://${bucket.name}`, { s3: bucket.settings });
      const keys: string[] = [];
      for await (const object of whole.list(location.slice(`s3://${bucket.name}/`.length))) keys.push(object.path);
      assert.deepEqual(keys, [`${location.slice(`s3://${bucket.name}/`.length)}/proc=It/date=2024-01-01/run_id=r1/part-000.parquet`]);
    });

    it('keys with spaces, quotes, plus signs and accents survive a put, a listing and a delete', async () => {
      const storage = await openLakeStorage(bucket.freshLocation('odd'), { s3: bucket.settings });
      const odd = ["chip 7/it's (1) + 2*!~.parquet", 'café/é€ü.parquet', 'a&b<c>/d=e%20f.parquet'];
      for (const p of odd) await storage.put(p, new TextEncoder().encode(p));
      const listed: string[] = [];
      for await (const object of storage.list()) listed.push(object.path);
      assert.deepEqual(listed.sort(), [...odd].sort());
      for (const p of odd) assert.equal(new TextDecoder().decode((await storage.get(p))!), p);
      await storage.deleteMany(odd);
      for await (const object of storage.list()) assert.fail(`${object.path} was not deleted`);
    });

    describe('what a scientist reads when something is wrong: one sentence that names the location', () => {
      const opening = (location: string, settings: S3Settings) => openLakeStorage(location, { s3: settings });
      const says = (pattern: RegExp, location: string) => (error: unknown) =>
        error instanceof StrataError && error.message.startsWith(`${location}:`) && pattern.test(error.message) && !error.message.includes('\n');

      it('a bucket that does not exist', async () => {
        const location = `s3://${bucket.name}-missing/lake`;
        await assert.rejects(opening(location, bucket.settings), says(/the bucket "strata-test-\w+-missing" does not exist at http/, location));
      });

      it('an access key the server does not know', async () => {
        const location = bucket.freshLocation();
        await assert.rejects(opening(location, { ...bucket.settings, accessKeyId: 'NOBODY' }), says(/does not know the access key "NOBODY"; check AWS_ACCESS_KEY_ID/, location));
      });

      it("a secret key that is not the access key's", async () => {
        const location = bucket.freshLocation();
        await assert.rejects(opening(location, { ...bucket.settings, secretAccessKey: 'wrong' }), says(/secret key is not the one of access key .*; check AWS_SECRET_ACCESS_KEY/, location));
      });

      it('an endpoint where no server listens', async () => {
        const port = await closedPort();
        const location = bucket.freshLocation();
        await assert.rejects(
          opening(location, { ...bucket.settings, endpoint: `http://127.0.0.1:${port}` }),
          says(new RegExp(`the S3 endpoint http://127.0.0.1:${port} cannot be reached \\(connection refused`), location),
        );
      });
    });
  });
});

describe('a lake on S3, without a server', () => {
  it('no credentials: the sentence names the two variables to set', async () => {
    await assert.rejects(openLakeStorage('s3://lab/lake', { s3: { region: 'us-east-1', endpoint: 'http://127.0.0.1:1' } }), (error: unknown) =>
      error instanceof StrataError && error.message === 's3://lab/lake: no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
    );
  });

  it('an endpoint that is not an http(s) URL', async () => {
    const s3 = { region: 'us-east-1', endpoint: '127.0.0.1:7480', accessKeyId: 'k', secretAccessKey: 's' };
    await assert.rejects(openLakeStorage('s3://lab/lake', { s3 }), /s3:\/\/lab\/lake: the S3 endpoint "127.0.0.1:7480" is not an http:\/\/ or https:\/\/ URL; check AWS_ENDPOINT_URL/);
  });
});

/** A port that was just free: a server listened on it and closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
