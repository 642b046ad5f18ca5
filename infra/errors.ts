/**
 * The one error shape of every layer: a machine-readable `code` a program
 * switches on, a message a person can act on, and the `cause` when wrapping.
 * Each module names its codes as a string union (`L402ErrorCode`,
 * `PolicyErrorCode`, …) and callers test codes with `isLabError`, not classes.
 * Only errors that carry data a caller reads (LND's status and raw text, a
 * scenario's list of issues) extend it with fields.
 *
 * @example
 * throw new LabError('invalid_policy_spec', 'maxMsat must be a positive integer, got -1');
 * if (isLabError(err, 'not_found')) return undefined;
 */
export class LabError<C extends string = string> extends Error {
  override name = 'LabError';
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `e` is a `LabError`, and when `codes` are given, one with one of those codes. */
export function isLabError<C extends string = string>(e: unknown, ...codes: readonly C[]): e is LabError<C> {
  return e instanceof LabError && (codes.length === 0 || codes.includes(e.code as C));
}
