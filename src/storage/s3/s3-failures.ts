// What went wrong with S3, said in one sentence that names the location and what to check: no bucket, keys the
// server does not know, a secret that does not match, a server that cannot be reached.
import { StrataError, messageOf } from '../../errors.js';
import type { S3ErrorBody } from './s3-xml.js';

/** Who asked and where: every sentence names the location, and the endpoint or access key when they are the cause. */
export interface S3Scene {
  readonly location: string;
  readonly bucket: string;
  /** The server as the requests see it (`http://127.0.0.1:7480`, `https://s3.eu-west-1.amazonaws.com`). */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
}

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused: is it running?',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'its host name could not be looked up',
  ETIMEDOUT: 'it did not answer in time',
  UND_ERR_CONNECT_TIMEOUT: 'it did not answer in time',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'no route to its host',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_SOCKET: 'the connection was closed',
};

/** A request that got no answer at all (fetch threw). */
export function unreachable(scene: S3Scene, error: unknown): StrataError {
  const code = causeCode(error);
  const why = (code === undefined ? undefined : NETWORK_CAUSES[code]) ?? messageOf((error as { cause?: unknown }).cause ?? error);
  return new StrataError(
    'storage',
    `${scene.location}: the S3 endpoint ${scene.endpoint} cannot be reached (${why}); check AWS_ENDPOINT_URL.`,
    { location: scene.location, endpoint: scene.endpoint, code },
    { cause: error },
  );
}

/**
 * An answer that is an error. `what` says what was asked (`writing proc=It/...`); `body` is the parsed XML error,
 * absent for HEAD (which has no body), `bucketRegion` the `x-amz-bucket-region` header.
 */
export function refused(scene: S3Scene, what: string, status: number, body: S3ErrorBody | null, bucketRegion: string | null): StrataError {
  const code = body?.code ?? null;
  const at = `${scene.location}:`;
  const context = { location: scene.location, endpoint: scene.endpoint, status, code };
  const region = body?.region ?? bucketRegion;
  const wrongRegion = `${at} the bucket "${scene.bucket}" is in ${region === null ? 'another region' : `region ${region}`}, not ${scene.region}; set AWS_REGION.`;
  const sentence = (() => {
    switch (code) {
      case 'NoSuchBucket':
        return `${at} the bucket "${scene.bucket}" does not exist at ${scene.endpoint}.`;
      case 'InvalidAccessKeyId':
        return `${at} ${scene.endpoint} does not know the access key "${scene.accessKeyId}"; check AWS_ACCESS_KEY_ID.`;
      case 'SignatureDoesNotMatch':
        return `${at} the secret key is not the one of access key "${scene.accessKeyId}" at ${scene.endpoint}; check AWS_SECRET_ACCESS_KEY.`;
      case 'InvalidToken':
      case 'ExpiredToken':
        return `${at} the session token was refused (${code}); check AWS_SESSION_TOKEN.`;
      case 'AccessDenied':
        return `${at} access key "${scene.accessKeyId}" may not do this (${what}): access denied.`;
      case 'RequestTimeTooSkewed':
        return `${at} this machine's clock is too far from the server's for its signatures to be accepted.`;
      case 'AuthorizationHeaderMalformed':
      case 'PermanentRedirect':
      case 'IncorrectEndpoint':
        return wrongRegion;
    }
    if (status === 301 || (status === 400 && region !== null && region !== scene.region)) return wrongRegion;
    if (status === 403) return `${at} ${scene.endpoint} refused access key "${scene.accessKeyId}" (${what}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.`;
    if (status === 404) return `${at} the bucket "${scene.bucket}" does not exist at ${scene.endpoint}.`;
    const detail = [code, body?.message].filter((s) => s !== null && s !== undefined && s !== '').join(': ');
    return `${at} ${scene.endpoint} answered ${status}${detail === '' ? '' : ` (${detail})`} when ${what}.`;
  })();
  return new StrataError('storage', sentence, context);
}

function causeCode(error: unknown): string | undefined {
  for (let at: unknown = error, depth = 0; at !== undefined && at !== null && depth < 4; depth++) {
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_INVALID_STATE') return code;
    at = (at as { cause?: unknown }).cause;
  }
  return undefined;
}
