// Signed requests to one bucket of S3-compatible storage: the only module that imports the S3 client.
//
// The client is aws4fetch (mhart/aws4fetch, MIT, no dependencies): it signs a request with AWS Signature V4 and
// sends it with Node's own fetch, so every S3 call is a plain HTTP request written here (PUT, GET, HEAD, DELETE,
// ListObjectsV2, DeleteObjects). It is preferred to the reference, the AWS SDK v3 (@aws-sdk/client-s3), because it
// does exactly this job and is small: one package against the SDK's dozens, a fraction of its install size and of
// its import time, the same put and get latency against a local server (the server's time dominates), and no
// plan to require a Node newer than the project's (the figures are in the commit that chose it). Because every
// header is ours, conditional writes (`If-None-Match: *`) need nothing from the client; any endpoint works, with
// the path-style URLs that Ceph RGW, MinIO and the like expect. Its settings come from the caller, never from the
// environment, and it reads no ~/.aws files.
import { createHash } from 'node:crypto';
import { AwsClient } from 'aws4fetch';
import { StrataError } from '../../errors.js';
import { refused, unreachable, type S3Scene } from './s3-failures.js';
import type { S3Settings } from './s3-settings.js';
import { parseErrorBody } from './s3-xml.js';

export interface S3Request {
  readonly method: 'GET' | 'PUT' | 'HEAD' | 'DELETE' | 'POST';
  /** The full key (the location's prefix included); absent for a request to the bucket itself. */
  readonly key?: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string;
  /** What the request does, for the error sentence: `writing proc=It/.../part-0.parquet`. */
  readonly what: string;
}

/** Server errors (5xx) and throttling (429) are tried again this many times, after a short random wait. */
const RETRIES = 4;

export class S3Bucket {
  readonly scene: S3Scene;
  private readonly client: AwsClient;
  private readonly base: string;

  constructor(location: string, bucket: string, settings: S3Settings) {
    const { accessKeyId, secretAccessKey, sessionToken, region } = settings;
    if (accessKeyId === undefined || secretAccessKey === undefined) {
      throw new StrataError('config', `${location}: no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`, { location });
    }
    this.base = bucketUrl(location, bucket, settings);
    this.scene = { location, bucket, endpoint: settings.endpoint ?? new URL(this.base).origin, region, accessKeyId };
    this.client = new AwsClient({ accessKeyId, secretAccessKey, sessionToken, region, service: 's3', retries: RETRIES, initRetryMs: 100 });
  }

  /** Sends the request; an endpoint that cannot be reached is a StrataError that says so. */
  async send(request: S3Request): Promise<Response> {
    const url = new URL(request.key === undefined ? this.base : `${this.base}/${encodeKey(request.key)}`);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    try {
      return await this.client.fetch(url.toString(), { method: request.method, headers: request.headers, body: request.body });
    } catch (error) {
      throw unreachable(this.scene, error);
    }
  }

  /** The error an answer that is not ok stands for, in a sentence (the XML body read, when there is one). */
  async failure(request: S3Request, response: Response): Promise<StrataError> {
    const text = request.method === 'HEAD' ? '' : await response.text().catch(() => '');
    const body = text.includes('<Error') ? parseErrorBody(text) : null;
    return refused(this.scene, request.what, response.status, body, response.headers.get('x-amz-bucket-region'));
  }
}

/** The base64 MD5 S3 checks a body against (Content-MD5): a body damaged on its way is refused, not stored. */
export function contentMd5(body: Uint8Array | string): string {
  return createHash('md5').update(body).digest('base64');
}

/**
 * Path-style (`<endpoint>/<bucket>`) for a given endpoint, as local servers expect; virtual-hosted on AWS itself,
 * path-style there too for a bucket name with dots (which breaks the certificate's wildcard).
 */
function bucketUrl(location: string, bucket: string, settings: S3Settings): string {
  if (settings.endpoint === undefined) {
    const region = encodeURIComponent(settings.region);
    return bucket.includes('.') ? `https://s3.${region}.amazonaws.com/${bucket}` : `https://${bucket}.s3.${region}.amazonaws.com`;
  }
  let endpoint: URL;
  try {
    endpoint = new URL(settings.endpoint);
  } catch {
    endpoint = new URL('invalid:');
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new StrataError('config', `${location}: the S3 endpoint ${JSON.stringify(settings.endpoint)} is not an http:// or https:// URL; check AWS_ENDPOINT_URL.`, { location });
  }
  return `${endpoint.origin}${endpoint.pathname.replace(/\/+$/, '')}/${bucket}`;
}

/** Each segment of a key percent-encoded as SigV4 wants it (RFC 3986: `!'()*` too), the slashes kept. */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}
