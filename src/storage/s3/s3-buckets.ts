// Making and removing a bucket: for the tests' scratch buckets and a local server's first one, not for staging
// (a lake is written into a bucket that exists; a missing one is an error that says so).
import { DEFAULT_S3_REGION, type S3Settings } from './s3-settings.js';
import { S3Bucket, contentMd5, type S3Request } from './s3-requests.js';
import { S3Storage } from './s3-storage.js';

/** Makes the bucket; one that this key already owns is fine. */
export async function createS3Bucket(settings: S3Settings, bucket: string): Promise<void> {
  const s3 = new S3Bucket(`s3://${bucket}`, bucket, settings);
  const body =
    settings.region === DEFAULT_S3_REGION
      ? undefined
      : `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>${settings.region}</LocationConstraint></CreateBucketConfiguration>`;
  const request: S3Request = { method: 'PUT', body, headers: body === undefined ? {} : { 'Content-MD5': contentMd5(body) }, what: 'making the bucket' };
  const response = await s3.send(request);
  if (response.ok) return void (await response.body?.cancel());
  const failure = await s3.failure(request, response);
  if (failure.context['code'] !== 'BucketAlreadyOwnedByYou') throw failure;
}

/** Deletes every object of the bucket, then the bucket; a bucket that is not there is fine. */
export async function removeS3Bucket(settings: S3Settings, bucket: string): Promise<void> {
  const location = `s3://${bucket}`;
  const s3 = new S3Bucket(location, bucket, settings);
  const probe = await s3.send({ method: 'HEAD', what: 'looking up the bucket' });
  if (probe.status === 404) return;
  const storage = await S3Storage.open(location, { bucket, prefix: '' }, settings);
  await storage.deleteMany((async function* () {
    for await (const object of storage.list()) yield object.path;
  })());
  const request: S3Request = { method: 'DELETE', what: 'removing the bucket' };
  const response = await s3.send(request);
  if (!response.ok && response.status !== 404) throw await s3.failure(request, response);
  await response.body?.cancel();
}
