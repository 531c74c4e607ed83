// What the S3 tests share: the settings from the standard AWS variables (as `npm run dev:s3` prints them), the
// reason to skip when no S3 server is configured or reachable (failed instead under STRATA_REQUIRE_S3=1), and a
// scratch bucket per suite, emptied and removed at the end.
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { messageOf } from '../../src/errors.js';
import { createS3Bucket, removeS3Bucket } from '../../src/storage/s3/s3-buckets.js';
import { s3SettingsFromEnvironment, type S3Settings } from '../../src/storage/s3/s3-settings.js';
import { S3Bucket } from '../../src/storage/s3/s3-requests.js';

const required = process.env['STRATA_REQUIRE_S3'] === '1';

/** The S3 the tests use: only an explicit endpoint (a local server), never AWS itself by accident. */
export function testS3Settings(): S3Settings {
  return s3SettingsFromEnvironment(process.env);
}

/**
 * Why the S3 tests are skipped (none configured, or it does not answer), or false to run them; under
 * STRATA_REQUIRE_S3=1 a missing server throws instead, with the same reason.
 */
export async function skipWithoutS3(): Promise<string | false> {
  const reason = await unavailable();
  if (reason !== null && required) throw new Error(`STRATA_REQUIRE_S3=1 but ${reason}`);
  return reason ?? false;
}

async function unavailable(): Promise<string | null> {
  const settings = testS3Settings();
  const how = 'start one with eval "$(npm run -s dev:s3)", or set STRATA_REQUIRE_S3=1 to fail instead of skipping';
  if (settings.endpoint === undefined || settings.accessKeyId === undefined || settings.secretAccessKey === undefined) {
    return `no local S3 is configured (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): ${how}`;
  }
  try {
    const response = await new S3Bucket('s3://strata-probe', 'strata-probe', settings).send({ method: 'HEAD', what: 'probing' });
    await response.body?.cancel();
    return null;
  } catch (error) {
    return `the S3 server at ${settings.endpoint} does not answer (${messageOf(error)}): ${how}`;
  }
}

export interface ScratchBucket {
  readonly name: string;
  readonly settings: S3Settings;
  /** A fresh location in the bucket: `s3://<bucket>/<label>-<n>`. */
  freshLocation(label?: string): string;
}

/** Inside a describe: a bucket of its own, made before its tests and removed, with everything in it, after. */
export function scratchBucket(): ScratchBucket {
  const name = `strata-test-${randomBytes(5).toString('hex')}`;
  const settings = testS3Settings();
  before(() => createS3Bucket(settings, name));
  after(() => removeS3Bucket(settings, name));
  let made = 0;
  return { name, settings, freshLocation: (label = 'lake') => `s3://${name}/${label}-${++made}` };
}

/** The S3 variables a child process needs to reach the same server. */
export function s3ChildEnvironment(settings: S3Settings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ENDPOINT_URL: settings.endpoint,
    AWS_REGION: settings.region,
    AWS_ACCESS_KEY_ID: settings.accessKeyId,
    AWS_SECRET_ACCESS_KEY: settings.secretAccessKey,
  };
}
