// Locations as users write them, the AWS variables as the CLI passes them, and the S3 listings as servers write them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StrataError } from '../../src/errors.js';
import { s3SettingsFromEnvironment } from '../../src/storage/s3/s3-settings.js';
import { parseListPage, deleteRequestBody, parseDeleteFailures } from '../../src/storage/s3/s3-xml.js';
import { parseStorageLocation } from '../../src/storage/storage-location.js';

describe('lake locations', () => {
  it('a path is a folder, a file:// URL too', () => {
    assert.deepEqual(parseStorageLocation('/data/lake'), { kind: 'folder', root: '/data/lake' });
    assert.deepEqual(parseStorageLocation('lake'), { kind: 'folder', root: 'lake' });
    assert.deepEqual(parseStorageLocation('file:///mnt/shared/lake'), { kind: 'folder', root: '/mnt/shared/lake' });
  });

  it('s3://bucket/prefix is a bucket and a key prefix ending in "/", with or without a trailing slash', () => {
    assert.deepEqual(parseStorageLocation('s3://lab-data/lakes/main'), { kind: 's3', bucket: 'lab-data', prefix: 'lakes/main/' });
    assert.deepEqual(parseStorageLocation('s3://lab-data/lakes/main/'), { kind: 's3', bucket: 'lab-data', prefix: 'lakes/main/' });
    assert.deepEqual(parseStorageLocation('s3://lab-data'), { kind: 's3', bucket: 'lab-data', prefix: '' });
    assert.deepEqual(parseStorageLocation('s3://lab-data/'), { kind: 's3', bucket: 'lab-data', prefix: '' });
  });

  it('a bad bucket, a prefix with "..", or another scheme is refused with the location in the sentence', () => {
    for (const bad of ['s3://Lab_Data/x', 's3://ab/x', 's3://lab/a/../b', 's3://lab//x', 'gs://lab/x', 'https://lab/x', '']) {
      assert.throws(() => parseStorageLocation(bad), (error: unknown) => error instanceof StrataError && error.code === 'usage' && error.message.includes(bad), bad);
    }
  });
});

describe('S3 settings from the standard AWS variables', () => {
  it('the S3 endpoint variable wins over the general one, AWS_REGION over AWS_DEFAULT_REGION; blanks are unset', () => {
    const settings = s3SettingsFromEnvironment({
      AWS_ENDPOINT_URL: 'http://general:1',
      AWS_ENDPOINT_URL_S3: 'http://s3-only:2',
      AWS_REGION: 'eu-west-3',
      AWS_DEFAULT_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'SECRET',
      AWS_SESSION_TOKEN: ' ',
    });
    assert.deepEqual(settings, { endpoint: 'http://s3-only:2', region: 'eu-west-3', accessKeyId: 'AKID', secretAccessKey: 'SECRET', sessionToken: undefined });
  });

  it('nothing set: AWS itself, in us-east-1, without credentials', () => {
    assert.deepEqual(s3SettingsFromEnvironment({ AWS_DEFAULT_REGION: 'ap-south-1' }), {
      endpoint: undefined,
      region: 'ap-south-1',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      sessionToken: undefined,
    });
    assert.equal(s3SettingsFromEnvironment({}).region, 'us-east-1');
  });
});

describe('S3 listings as servers write them', () => {
  it("url-encoded keys are decoded as AWS writes them (a space as '+', a plus as %2B) and as Ceph does (%20), entities first", () => {
    const page = parseListPage(
      '<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><NextContinuationToken>tok&amp;1</NextContinuationToken>' +
        '<Contents><Key>lake%2Fa+b%2Bc</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>12</Size></Contents>' +
        '<Contents><Key>lake%2Fit&apos;s%20%C3%A9</Key><LastModified>2024-05-01T10:00:01.000Z</LastModified><ETag>"def-2"</ETag><Size>0</Size></Contents>' +
        '</ListBucketResult>',
    );
    assert.deepEqual(page, {
      keys: [
        { key: 'lake/a b+c', size: 12, modified: new Date('2024-05-01T10:00:00.000Z'), etag: 'abc' },
        { key: "lake/it's é", size: 0, modified: new Date('2024-05-01T10:00:01.000Z'), etag: 'def-2' },
      ],
      next: 'tok&1',
    });
  });

  it('a server that ignored encoding-type=url gives keys as they are; the last page has no next token', () => {
    const page = parseListPage('<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a%20b</Key><LastModified>2024-05-01T10:00:00Z</LastModified><Size>1</Size></Contents></ListBucketResult>');
    assert.equal(page.keys[0]?.key, 'a%20b');
    assert.equal(page.next, null);
  });

  it('a DeleteObjects request escapes its keys, and its answer lists the keys that failed', () => {
    assert.match(deleteRequestBody(['a&b<c>"d\'']), /<Key>a&amp;b&lt;c&gt;&quot;d&apos;<\/Key>/);
    assert.deepEqual(parseDeleteFailures('<DeleteResult><Error><Key>k&amp;1</Key><Code>AccessDenied</Code><Message>no</Message></Error></DeleteResult>'), [
      { key: 'k&1', code: 'AccessDenied', message: 'no' },
    ]);
  });
});
