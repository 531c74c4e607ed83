// A lake's files on S3-compatible storage: each path is a key below the location's prefix, so the layout is the
// folder's (`proc=/date=/run_id=/`) and every reader that reads a hive-partitioned folder on S3 reads it as it is.
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '../../errors.js';
import type { LakeStorage, ObjectInfo, PutIfAbsentOutcome, StoredObject } from '../lake-storage.js';
import { checkedListPrefix, checkedObjectPath } from '../object-path.js';
import { S3Bucket, contentMd5, type S3Request } from './s3-requests.js';
import type { S3Settings } from './s3-settings.js';
import { deleteRequestBody, parseDeleteFailures, parseListPage, unquoteEtag } from './s3-xml.js';

/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1_000;
/** A conditional write that raced another one may be answered 409 (ConditionalRequestConflict): it is tried again. */
const CONFLICT_RETRIES = 5;

export class S3Storage implements LakeStorage {
  private constructor(
    readonly location: string,
    private readonly bucket: S3Bucket,
    /** '' or ending in '/'. */
    private readonly prefix: string,
  ) {}

  /**
   * Opens the location and asks the bucket for one key below the prefix, so that a missing bucket, keys it does
   * not know or an endpoint that cannot be reached are said now, in a sentence, rather than at the first write.
   */
  static async open(location: string, target: { readonly bucket: string; readonly prefix: string }, settings: S3Settings): Promise<S3Storage> {
    const storage = new S3Storage(location, new S3Bucket(location, target.bucket, settings), target.prefix);
    const probe: S3Request = { method: 'GET', query: { 'list-type': '2', 'max-keys': '1', prefix: target.prefix }, what: 'listing it' };
    await storage.expectOk(probe);
    return storage;
  }

  async put(path: string, body: Uint8Array): Promise<void> {
    await this.expectOk(this.putRequest(path, body, {}));
  }

  async putIfAbsent(path: string, body: Uint8Array): Promise<PutIfAbsentOutcome> {
    const request = this.putRequest(path, body, { 'If-None-Match': '*' });
    for (let attempt = 0; ; attempt++) {
      const response = await this.bucket.send(request);
      if (response.ok) {
        await response.body?.cancel();
        return { kind: 'written' };
      }
      if (response.status === 412) {
        await response.body?.cancel();
        return { kind: 'exists' };
      }
      if (response.status === 409 && attempt < CONFLICT_RETRIES) {
        await response.body?.cancel();
        await sleep(20 * 2 ** attempt * Math.random());
        continue;
      }
      throw await this.bucket.failure(request, response);
    }
  }

  async get(path: string): Promise<Uint8Array | null> {
    const request: S3Request = { method: 'GET', key: this.keyOf(path), what: `reading ${path}` };
    const response = await this.bucket.send(request);
    if (response.ok) return new Uint8Array(await response.arrayBuffer());
    const failure = await this.bucket.failure(request, response);
    if (response.status === 404 && failure.context['code'] === 'NoSuchKey') return null;
    throw failure;
  }

  async head(path: string): Promise<ObjectInfo | null> {
    const request: S3Request = { method: 'HEAD', key: this.keyOf(path), what: `looking up ${path}` };
    const response = await this.bucket.send(request);
    // HEAD has no body to tell a missing key from a missing bucket: opening the location made sure of the bucket.
    if (response.status === 404) return null;
    if (!response.ok) throw await this.bucket.failure(request, response);
    const size = Number(response.headers.get('content-length'));
    const modified = new Date(response.headers.get('last-modified') ?? '');
    return { size, modified, etag: unquoteEtag(response.headers.get('etag') ?? '') };
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    const keyPrefix = this.prefix + checkedListPrefix(this.location, prefix);
    let token: string | null = null;
    do {
      const query: Record<string, string> = { 'list-type': '2', prefix: keyPrefix, 'encoding-type': 'url' };
      if (token !== null) query['continuation-token'] = token;
      const page = parseListPage(await this.expectOk({ method: 'GET', query, what: `listing ${prefix === '' ? 'it' : prefix}` }));
      for (const listed of page.keys) {
        if (!listed.key.startsWith(this.prefix)) continue;
        const { key, ...info } = listed;
        yield { path: key.slice(this.prefix.length), ...info };
      }
      token = page.next;
    } while (token !== null);
  }

  async delete(path: string): Promise<void> {
    const request: S3Request = { method: 'DELETE', key: this.keyOf(path), what: `deleting ${path}` };
    const response = await this.bucket.send(request);
    if (response.ok || response.status === 404) {
      await response.body?.cancel();
      return;
    }
    throw await this.bucket.failure(request, response);
  }

  async deleteMany(paths: Iterable<string> | AsyncIterable<string>): Promise<number> {
    let asked = 0;
    let batch: string[] = [];
    for await (const path of paths) {
      batch.push(this.keyOf(path));
      asked++;
      if (batch.length === DELETE_BATCH) {
        await this.deleteBatch(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await this.deleteBatch(batch);
    return asked;
  }

  private async deleteBatch(keys: readonly string[]): Promise<void> {
    const body = deleteRequestBody(keys);
    const headers = { 'Content-MD5': contentMd5(body), 'Content-Type': 'application/xml' };
    const answer = await this.expectOk({ method: 'POST', query: { delete: '' }, headers, body, what: `deleting ${keys.length} objects` });
    const failures = parseDeleteFailures(answer).filter((f) => f.code !== 'NoSuchKey');
    const firstFailure = failures[0];
    if (firstFailure !== undefined) {
      const which = `${firstFailure.key.slice(this.prefix.length)} (${firstFailure.code}${firstFailure.message === '' ? '' : `: ${firstFailure.message}`})`;
      throw new StrataError('storage', `${this.location}: ${failures.length} of ${keys.length} objects could not be deleted, the first ${which}.`, {
        location: this.location,
        failed: failures.length,
      });
    }
  }

  private putRequest(path: string, body: Uint8Array, headers: Record<string, string>): S3Request {
    return {
      method: 'PUT',
      key: this.keyOf(path),
      headers: { ...headers, 'Content-MD5': contentMd5(body), 'Content-Type': 'application/octet-stream' },
      body,
      what: `writing ${path}`,
    };
  }

  /** Sends the request and returns the answer's text, or throws the sentence its error stands for. */
  private async expectOk(request: S3Request): Promise<string> {
    const response = await this.bucket.send(request);
    if (!response.ok) throw await this.bucket.failure(request, response);
    return response.text();
  }

  private keyOf(path: string): string {
    return this.prefix + checkedObjectPath(this.location, path);
  }
}
