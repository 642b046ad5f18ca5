/**
 * Checks a bench row makes on every call, so an error answer is never
 * counted as an operation: the call throws, and the bench fails, instead.
 */

/** `res` when its status is `want`; throws naming the row otherwise. */
export function expectStatus<R extends { status: number }>(row: string, res: R, want: number): R {
  if (res.status !== want) throw new Error(`${row}: expected HTTP ${want}, got ${res.status}`);
  return res;
}
