// The one error root: a code a program can test, a sentence a person can read, and an exit code.

export type ErrorCode =
  | 'usage' // bad flag, bad value: exit 2
  | 'config' // missing root, bad YAML, bad time zone: exit 2
  | 'input' // a file that cannot be read as expected
  | 'validation' // data that breaks a rule
  | 'database' // the stage database refused something
  | 'internal';

const EXIT_CODES: Record<ErrorCode, number> = {
  usage: 2,
  config: 2,
  input: 1,
  validation: 1,
  database: 1,
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
