// The one error root: a code a program can test, a sentence a person can read, and an exit code.

export type ErrorCode =
  | 'usage' // bad flag, bad value: exit 2
  | 'config' // missing root, bad YAML, bad time zone: exit 2
  | 'input' // a file that cannot be read as expected
  | 'validation' // data that breaks a rule
  | 'database' // the stage database refused something
  | 'storage' // where the lake's files live (a folder, S3) refused or could not be reached
  | 'internal';

const EXIT_CODES: Record<ErrorCode, number> = {
  usage: 2,
  config: 2,
  input: 1,
  validation: 1,
  database: 1,
  storage: 1,
  internal: 1,
};

export class StrataError extends Error {
  override readonly name = 'StrataError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export const usageError = (message: string, context?: Record<string, unknown>) => new StrataError('usage', message, context);
export const configError = (message: string, context?: Record<string, unknown>) => new StrataError('config', message, context);

/** The message of anything thrown, for reports and reject records. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether a failed write failed because its disk (or the user's quota) is full; DuckDB says it only in words. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || /no space left on device/i.test(messageOf(error));
}

/** A failed write of `target`: when its disk is full, an error that names the path that filled; else the error as it was. */
export function namingFullDisk(target: string, error: unknown): unknown {
  if (!isDiskFull(error)) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'ENOSPC';
  return new StrataError('input', `${target} could not be written: the disk holding it is full (${code})`, { path: target }, { cause: error });
}
