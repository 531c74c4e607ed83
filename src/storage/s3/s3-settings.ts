// How to reach S3-compatible storage, from the standard AWS variables only. The CLI reads its environment and passes
// it in; nothing here reads process.env.

export interface S3Settings {
  /**
   * The server, from AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL (`http://127.0.0.1:7480` for `npm run dev:s3`).
   * Given: requests go path-style to it (`<endpoint>/<bucket>/<key>`), as Ceph RGW, MinIO and the like expect.
   * Absent: AWS itself, `https://<bucket>.s3.<region>.amazonaws.com`.
   */
  readonly endpoint?: string;
  /** AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1 (a local server takes any). */
  readonly region: string;
  /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; without them no S3 location can be opened. */
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** AWS_SESSION_TOKEN, for temporary credentials. */
  readonly sessionToken?: string;
}

export const DEFAULT_S3_REGION = 'us-east-1';

/** The settings the standard AWS variables of `environment` (the CLI passes process.env) describe. */
export function s3SettingsFromEnvironment(environment: Readonly<Record<string, string | undefined>>): S3Settings {
  const value = (name: string): string | undefined => {
    const v = environment[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  return {
    endpoint: value('AWS_ENDPOINT_URL_S3') ?? value('AWS_ENDPOINT_URL'),
    region: value('AWS_REGION') ?? value('AWS_DEFAULT_REGION') ?? DEFAULT_S3_REGION,
    accessKeyId: value('AWS_ACCESS_KEY_ID'),
    secretAccessKey: value('AWS_SECRET_ACCESS_KEY'),
    sessionToken: value('AWS_SESSION_TOKEN'),
  };
}
